export * from './analysis.js';
export * from './deployment-strategy.js';
export * from './presets.js';
export * from './rollout-step.js';
export * from './strategy-options.js';
export * from './traffic-router.js';
