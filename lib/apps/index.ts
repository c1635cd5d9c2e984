export * from './app-stack.js';
export * from './config-map.js';
export * from './existing-secret.js';
export type { Exposure, ExposureProps, IngressOptions, LoadBalancerOptions } from './exposure.js';
export * from './health-check.js';
export type {
  AutoscalingOptions,
  DisruptionBudgetOptions,
  ReplicationProps,
  Scaling,
} from './replication.js';
export * from './scheduled-job.js';
export * from './tier.js';
export * from './web-service.js';
export * from './worker.js';
export * from './workload.js';
