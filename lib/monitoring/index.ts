export * from '../alarms/index.js';
export * from './alert-routing.js';
export * from './dashboard.js';
export * from './fluent-bit.js';
export * from './golden-signals.js';
export * from './monitoring.js';
export * from './namespace-monitoring.js';
export * from './sidecars.js';
