export * from './app-stack.js';
export * from './config-map.js';
export * from './env-source.js';
export * from './existing-secret.js';
export type {
  AdditionalServiceOptions,
  Exposure,
  ExposureProps,
  IngressOptions,
  ServiceMetadata,
} from './exposure.js';
export * from './health-check.js';
export type {
  ContainerSpecProps,
  InitContainerOptions,
  NativeSidecarOptions,
  PodOfContainers,
  PullPolicy,
  SidecarPort,
} from './pod-containers.js';
export type { PodSchedulingProps, Toleration, TopologySpread } from './pod-scheduling.js';
export { PodVolume, ProjectedSource } from './pod-volume.js';
export type {
  EmptyDirOptions,
  KeysOptions,
  KeyToPath,
  ServiceAccountTokenOptions,
  VolumeMount,
} from './pod-volume.js';
export type {
  AutoscalingOptions,
  DisruptionBudgetOptions,
  ReplicationProps,
  Scaling,
} from './replication.js';
export * from './scheduled-job.js';
export * from './service-kind.js';
export * from './stateful-service.js';
export * from './tier.js';
export * from './web-service.js';
export * from './worker.js';
export * from './workload.js';
export type { WorkloadPort } from './workload-port.js';
export type { WorkloadResourceFactory } from './workload-resource.js';
