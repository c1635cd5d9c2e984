import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toYaml } from './yaml.js';

/** The file kustomize looks for in a folder; the client skips it when it reads the folder's manifests. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/**
 * Writes a `kustomization.yaml` into `folder` that lists its manifests (sorted, so the same output gives
 * the same file), for `kubectl kustomize`, `kubectl apply -k`, Argo CD and Flux.
 */
export function writeKustomization(folder: string): void {
  const resources = readdirSync(folder)
    .filter((name) => /\.ya?ml$/.test(name) && name !== KUSTOMIZATION_FILE)
    .sort();
  const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources };
  writeFileSync(join(folder, KUSTOMIZATION_FILE), toYaml(kustomization));
}
