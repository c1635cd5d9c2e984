/**
 * One in-process synth of the fleet, phase by phase as DevOpsApp runs them, then the floor: the same
 * objects through JSON.stringify and cdk8s's own YAML writer (the `yaml` library's stringify, as
 * cdk8s's `Yaml.stringify` calls it), what stock `cdk8s synth` pays to write them at the least. Run as its own process (through the bundled
 * runner, as `cdk8s synth` runs the app) so that its peak memory is its own; prints one JSON line.
 *
 *     node cli/run-bundled.mjs bench/synth-fleet.ts <services>
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { App } from 'cdk8s';
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
  /** Seconds of the floor: JSON.stringify and cdk8s's YAML writer on the same objects. */
  readonly floor: { readonly json: number; readonly yaml: number; readonly total: number };
  /** Peak RSS of the process once synthesized, before the floor ran. */
  readonly maxRssMiB: number;
  readonly violations: number;
}

// The project itself writes with js-yaml (ESLint refuses `yaml`); the floor is the writer cdk8s uses,
// resolved from cdk8s's own folder.
const cdk8sYaml = createRequire(createRequire(import.meta.url).resolve('cdk8s'))('yaml') as {
  stringify: (value: unknown) => string;
};

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
  plain.map((o) => cdk8sYaml.stringify(o)).join('---\n');
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
