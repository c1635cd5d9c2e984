export * from './apps/index.js';
export * from './core/index.js';
export * from './security/index.js';
