export * from './alarm.js';
export * from './alert-routing.js';
export * from './dashboard.js';
export * from './fluent-bit.js';
export * from './golden-signals.js';
export * from './monitoring.js';
export * from './promql.js';
export * from './sidecars.js';
