export * from './environment.js';
export * from './environments.js';
export * from './gitops.js';
export { KUSTOMIZATION_FILE, writeKustomization } from '../core/kustomization.js';
export * from './project-config.js';
