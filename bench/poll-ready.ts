/**
 * The readiness baseline: a loop that asks for the objects' status every second, as kapp does by
 * default, with the same readiness rules as `watch`. Prints `polling` after the first look, `ready` once
 * every object is.
 *
 *     node cli/run-bundled.mjs bench/poll-ready.ts <kubeconfig> <manifest.yaml>
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { loadManifests } from '../client/plan/manifests.js';
import { Release } from '../client/release.js';

const [kubeconfig, file] = process.argv.slice(-2);
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfig);
const release = Release.connect({ kubeConfig, name: 'bench-poll', namespace: 'default' });
const manifests = await loadManifests([file]);
for (let first = true; ; first = false) {
  const statuses = await release.status(manifests);
  if (first) {
    console.log('polling');
  }
  if (statuses.every((s) => s.readiness.state === 'ready')) {
    console.log('ready');
    break;
  }
  await sleep(1000);
}
