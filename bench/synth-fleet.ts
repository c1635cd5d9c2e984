/**
 * One in-process synth of the fleet, phase by phase as DevOpsApp runs them, then the floor: the same
 * objects through JSON.stringify and a plain YAML dump. Run as its own process (through the bundled
 * runner, as `cdk8s synth` runs the app) so that its peak memory is its own; prints one JSON line.
 *
 *     node cli/run-bundled.mjs bench/synth-fleet.ts <services>
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import jsYaml from 'js-yaml';
import { fileYaml, resolveApp } from '../lib/core/synth.js';
import { findViolations } from '../lib/security/policy.js';
import { buildFleet } from './fleet.js';

export interface FleetSynthSample {
  readonly services: number;
  readonly objects: number;
  readonly yamlBytes: number;
  /** Seconds per phase, and their sum. */
  readonly synth: {
    readonly build: number;
    readonly resolve: number;
    readonly policy: number;
    readonly yaml: number;
    readonly total: number;
  };
  /** Seconds of the floor: JSON.stringify and a plain YAML dump of the same objects. */
  readonly floor: { readonly json: number; readonly yaml: number; readonly total: number };
  /** Peak RSS of the process once synthesized, before the floor ran. */
  readonly maxRssMiB: number;
  readonly violations: number;
}

const services = Number(process.argv.at(-1));
const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
try {
  const clock = () => performance.now() / 1000;
  const t0 = clock();
  const app = new App({ outdir });
  buildFleet(app, { services });
  const t1 = clock();
  const files = resolveApp(app);
  const objects = files.flatMap((f) => f.objects);
  const t2 = clock();
  const violations = findViolations(objects);
  const t3 = clock();
  let yamlBytes = 0;
  for (const file of files) {
    const text = fileYaml(file);
    yamlBytes += text.length;
    writeFileSync(join(outdir, file.name), text);
  }
  const t4 = clock();
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  const plain = objects.map((o) => o.object);
  const f0 = clock();
  JSON.stringify(plain);
  const f1 = clock();
  plain.map((o) => jsYaml.dump(o)).join('---\n');
  const f2 = clock();
  const sample: FleetSynthSample = {
    services,
    objects: objects.length,
    yamlBytes,
    synth: { build: t1 - t0, resolve: t2 - t1, policy: t3 - t2, yaml: t4 - t3, total: t4 - t0 },
    floor: { json: f1 - f0, yaml: f2 - f1, total: f2 - f0 },
    maxRssMiB,
    violations: violations.length,
  };
  console.log(JSON.stringify(sample));
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
