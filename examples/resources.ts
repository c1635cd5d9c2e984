import { Size } from 'cdk8s';
import * as plus from '../lib/core/plus.js';

/** A request and a limit, as the upstream manifests give them. */
export type Range = readonly [request: number, limit: number];

/**
 * Requests and limits in the units the upstream manifests use: CPU in millicores, memory and ephemeral
 * storage in MiB ("1Gi" is 1024, "0.25Gi" 256).
 */
export function resources(
  cpuMillis: Range,
  memoryMiB: Range,
  ephemeralStorageMiB?: Range,
): plus.ContainerResources {
  return {
    cpu: { request: plus.Cpu.millis(cpuMillis[0]), limit: plus.Cpu.millis(cpuMillis[1]) },
    memory: { request: Size.mebibytes(memoryMiB[0]), limit: Size.mebibytes(memoryMiB[1]) },
    ephemeralStorage: ephemeralStorageMiB && {
      request: Size.mebibytes(ephemeralStorageMiB[0]),
      limit: Size.mebibytes(ephemeralStorageMiB[1]),
    },
  };
}
