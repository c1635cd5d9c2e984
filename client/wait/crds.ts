/**
 * Waiting for new CustomResourceDefinitions: Established, and their kinds served by discovery, before
 * the objects of later apply stages that need them are sent.
 */
import type { ApplyContext } from '../plan/apply-context.js';
import type { Manifest } from '../transport/resources.js';
import { KindNotServedError } from '../transport/resources.js';
import { waitForReady } from './watch.js';

/** Waits until new CRDs are Established and discovery serves their kinds, within one deadline. */
export async function waitUntilServed(
  context: ApplyContext,
  crds: readonly Manifest[],
  timeoutMs: number,
): Promise<void> {
  const started = Date.now();
  const result = await waitForReady(context, crds, { timeoutMs });
  if (result.outcome !== 'ready') {
    const names = crds.map((c) => c.metadata.name).join(' ');
    throw new Error(
      `the CustomResourceDefinitions ${names} were not Established within ${timeoutMs / 1000}s; nothing was pruned: see why in their conditions (\`kubectl get crd ${names} -o yaml\`), then apply again`,
    );
  }
  const left = Math.max(timeoutMs - (Date.now() - started), 1000);
  await context.catalog.waitUntilServed(crds, left).catch((error: unknown) => {
    throw error instanceof KindNotServedError
      ? new Error(`${error.message}; nothing was pruned: apply again`, { cause: error })
      : error;
  });
}
