/**
 * Argo Rollout operations, with the patches the Argo Rollouts kubectl plugin sends (merge patches; the
 * status ones to the status subresource, which Rollouts v0.10+ use):
 * - promote: status `pauseConditions: null` when paused by a step (or, mid-analysis on a canary, also
 *   `currentStepIndex` + 1), and spec `paused: false` when paused by hand;
 * - promote --full: status `promoteFull: true`, unless the current pods are already the stable ones;
 * - abort: status `abort: true`; retry: status `abort: false`;
 * - pause: spec `paused: true`; resume: spec `paused: false`.
 */
import type { ApiClient } from '../transport/api-client.js';
import { CONTENT_TYPES } from '../transport/api-client.js';
import { sourceOf } from '../plan/manifests.js';
import { groupOf } from '../transport/resources.js';
import type { Manifest } from '../transport/resources.js';

export const ROLLOUT_OPERATIONS = ['promote', 'promote-full', 'abort', 'retry', 'pause', 'resume'] as const;
export type RolloutOperation = (typeof ROLLOUT_OPERATIONS)[number];

interface Rollout {
  spec: { paused?: boolean; strategy?: { canary?: { steps?: unknown[] } } };
  status?: {
    pauseConditions?: unknown[];
    currentStepIndex?: number;
    currentPodHash?: string;
    stableRS?: string;
  };
}

/** The spec and status merge patches for an operation on a rollout as it is now. */
export function rolloutPatches(
  operation: RolloutOperation,
  rollout: Rollout,
): { spec?: object; status?: object } {
  switch (operation) {
    case 'abort':
      return { status: { status: { abort: true } } };
    case 'retry':
      return { status: { status: { abort: false } } };
    case 'pause':
      return { spec: { spec: { paused: true } } };
    case 'resume':
      return { spec: { spec: { paused: false } } };
    case 'promote-full':
      return rollout.status?.currentPodHash !== rollout.status?.stableRS
        ? { status: { status: { promoteFull: true } } }
        : {};
    case 'promote': {
      const spec = rollout.spec.paused ? { spec: { paused: false } } : undefined;
      if ((rollout.status?.pauseConditions ?? []).length > 0) {
        return { spec, status: { status: { pauseConditions: null } } };
      }
      const steps = rollout.spec.strategy?.canary?.steps;
      if (steps) {
        const index = rollout.status?.currentStepIndex ?? 0;
        return {
          spec,
          status: {
            status: { pauseConditions: null, currentStepIndex: index < steps.length ? index + 1 : index },
          },
        };
      }
      return { spec };
    }
  }
}

/** Applies an operation to the Rollout `name` in `namespace`. */
export async function operateRollout(
  api: ApiClient,
  operation: RolloutOperation,
  rollout: { readonly namespace: string; readonly name: string },
): Promise<void> {
  const path = `/apis/argoproj.io/v1alpha1/namespaces/${encodeURIComponent(rollout.namespace)}/rollouts/${encodeURIComponent(rollout.name)}`;
  const patches = rolloutPatches(operation, await api.request<Rollout>({ path }));
  if (patches.status) {
    await api.request({
      path: `${path}/status`,
      method: 'PATCH',
      contentType: CONTENT_TYPES.merge,
      body: patches.status,
    });
  }
  if (patches.spec) {
    await api.request({ path, method: 'PATCH', contentType: CONTENT_TYPES.merge, body: patches.spec });
  }
}

/**
 * The namespace of the Rollout `name` in the manifests, as `apply` would put it (`defaultNamespace` when
 * its manifest names none), so that an operation acts on the Rollout the app deployed. An error when no
 * Rollout or several of that name are there: then `-n` says which.
 */
export function rolloutNamespaceIn(
  manifests: readonly Manifest[],
  name: string,
  defaultNamespace: string,
  where: string,
): string {
  const rollouts = manifests.filter(
    (m) => m.kind === 'Rollout' && groupOf(m.apiVersion) === 'argoproj.io' && m.metadata.name === name,
  );
  const namespaces = [...new Set(rollouts.map((r) => r.metadata.namespace ?? defaultNamespace))];
  if (namespaces.length === 1) {
    return namespaces[0];
  }
  if (namespaces.length === 0) {
    throw new Error(
      `there is no Rollout ${name} in ${where}; check the name, or pass -n <namespace> to act on a Rollout outside the app`,
    );
  }
  throw new Error(
    `there is a Rollout ${name} in ${namespaces.length} namespaces of ${where} (${rollouts.map((r) => `${r.metadata.namespace ?? defaultNamespace} in ${sourceOf(r)}`).join(', ')}); pass -n <namespace> to pick one`,
  );
}
