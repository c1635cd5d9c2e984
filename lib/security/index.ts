export * from './grants.js';
export * from './iam-identity.js';
export * from './network.js';
export * from './pod-security.js';
export * from './policy.js';
