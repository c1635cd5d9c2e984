export * from './apps/index.js';
export * from './core/index.js';
export * from './delivery/index.js';
export * from './devops-app.js';
export * from './monitoring/index.js';
export * from './security/index.js';
