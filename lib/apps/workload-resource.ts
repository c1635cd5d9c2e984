import { Size } from 'cdk8s';
import type { Construct } from 'constructs';
import * as plus from '../core/plus.js';

/** How a concrete workload makes its Kubernetes resource from the pod the base class assembles. */
export interface WorkloadResourceFactory {
  create(scope: Construct, pod: plus.WorkloadProps & { metadata: { name: string } }): plus.Workload;
  /**
   * The app container's requests and limits when the props give none, fit for the workload's kind.
   *
   * @default - requests of 100m CPU and 128Mi memory, limits of 500m CPU and 256Mi memory
   */
  readonly defaultResources?: plus.ContainerResources;
}

/** The app container's requests and limits when neither the props nor the kind give any. */
export const DEFAULT_RESOURCES: plus.ContainerResources = {
  cpu: { request: plus.Cpu.millis(100), limit: plus.Cpu.millis(500) },
  memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
};
