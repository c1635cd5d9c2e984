export * from './environments.js';
export * from './gitops.js';
export { KUSTOMIZATION_FILE, writeKustomization } from './kustomization.js';
export * from './project-config.js';
