/**
 * `npm run bench:unchanged [-- --services N --runs N]`: what the unchanged-object shortcut saves on an
 * unchanged re-apply of the fleet. The fleet is applied once, then again unchanged; the API server's own
 * counters (`apiserver_request_total`, verb APPLY) say how many server-side applies each re-apply sent,
 * dry runs and real ones: every object not dry-run is one the shortcut proved unchanged from the live
 * object alone. Each re-apply is timed too. Far quicker than `npm run bench` (a minute at N = 10).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { binaryPath } from '../test/cluster/components.js';
import { ControlPlane } from '../test/cluster/control-plane.js';
import { PROJECT_ROOT } from '../scripts/import-crds.js';
import { copyOf, fleetObjects } from './apply.js';
import { measureOnce, row, table } from './measure.js';

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    // A cluster that is up already (`npm run cluster:up`), instead of a control plane of its own.
    kubeconfig: { type: 'string' },
    // The namespaces' prefix: a new one applies a fresh copy of the fleet.
    prefix: { type: 'string', default: 'u' },
  },
});
const [services, runs] = [Number(values.services), Number(values.runs)];

/** Server-side applies the API server received so far: dry runs and real ones. */
async function appliesReceived(kubeconfig: string): Promise<{ dryRuns: number; applies: number }> {
  const { stdout } = await promisify(execFile)(
    binaryPath('kubectl'),
    ['get', '--raw', '/metrics', '--kubeconfig', kubeconfig],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const counts = { dryRuns: 0, applies: 0 };
  for (const line of stdout.split('\n')) {
    if (line.startsWith('apiserver_request_total{') && line.includes('verb="APPLY"')) {
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      counts[line.includes('dry_run="All"') ? 'dryRuns' : 'applies'] += value;
    }
  }
  return counts;
}

const objects = fleetObjects(services);
const plane = values.kubeconfig ? undefined : await ControlPlane.start({ nodes: 1 });
const kubeconfig = values.kubeconfig ?? plane!.kubeconfig;
const prefix = values.prefix;
const dir = await mkdtemp(join(tmpdir(), 'bench-unchanged-'));
try {
  const file = join(dir, 'fleet.yaml');
  await writeFile(file, copyOf(objects, prefix));
  const command = `node cli/cdk8s-devops.mjs apply ${file} --yes --applyset ${prefix} -n ${prefix}-deploy --kubeconfig ${kubeconfig} >/dev/null`;
  await measureOnce(command, PROJECT_ROOT);
  const samples = [];
  const sent = [];
  for (let run = 0; run < runs; run++) {
    const before = await appliesReceived(kubeconfig);
    samples.push(await measureOnce(command, PROJECT_ROOT));
    const after = await appliesReceived(kubeconfig);
    sent.push({ dryRuns: after.dryRuns - before.dryRuns, applies: after.applies - before.applies });
  }
  console.log(
    table({
      id: 'unchanged-re-apply',
      title: `Unchanged re-apply of the fleet (N = ${services}, ${objects.length} objects), loopback`,
      runs,
      rows: [row('`cdk8s-devops apply`', samples)],
    }),
  );
  console.log(
    `\nrequests per re-apply (dry runs, applies): ${sent.map((s) => `${s.dryRuns}, ${s.applies}`).join('; ')}` +
      `\nobjects not dry-run (proven unchanged by the shortcut): ${sent.map((s) => objects.length - s.dryRuns).join('; ')} of ${objects.length}`,
  );
} finally {
  await plane?.stop();
  await rm(dir, { recursive: true, force: true });
}
