// The public part of lib/core. Its helpers (errors, names, image checks) are internal plumbing.
export * from './labels.js';
