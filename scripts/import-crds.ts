/**
 * Regenerates imports/ from the upstream CRDs, taken from each project's Go module at the version the
 * test harness pins (test/cluster/versions.ts): Go fetches the module on the first run.
 *
 * `cdk8s import` writes one file per API group and overwrites it on every call, so each group's CRDs are
 * joined into one multi-document file and imported in a single call.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ensureUpstreamCrds, readUpstreamCrd } from '../test/cluster/upstream-crds.js';

const run = promisify(execFile);

export const PROJECT_ROOT = resolve(import.meta.dirname, '..');
/** The CRD files of each API group that the library builds on, as `<project>/<file>` (upstream-crds.ts). */
export const CRD_GROUPS = {
  'argoproj.io': ['argo-rollouts/rollout-crd.yaml', 'argo-rollouts/analysis-template-crd.yaml'],
  'tekton.dev': [
    'tekton-pipelines/300-task.yaml',
    'tekton-pipelines/300-pipeline.yaml',
    'tekton-pipelines/300-pipelinerun.yaml',
    'tekton-pipelines/300-taskrun.yaml',
  ],
  'monitoring.coreos.com': [
    'prometheus-operator/monitoring.coreos.com_servicemonitors.yaml',
    'prometheus-operator/monitoring.coreos.com_podmonitors.yaml',
    'prometheus-operator/monitoring.coreos.com_prometheusrules.yaml',
    'prometheus-operator/monitoring.coreos.com_alertmanagerconfigs.yaml',
  ],
} as const satisfies Record<string, readonly string[]>;

export type CrdGroup = keyof typeof CRD_GROUPS;

/** Generates the typed bindings of every group in CRD_GROUPS into `outdir`. */
export async function importCrds(outdir: string): Promise<void> {
  await ensureUpstreamCrds();
  const work = await mkdtemp(join(tmpdir(), 'cdk8s-devops-import-'));
  try {
    for (const [group, files] of Object.entries(CRD_GROUPS)) {
      const documents = await Promise.all(files.map(readUpstreamCrd));
      const joined = join(work, `${group}.yaml`);
      await writeFile(joined, documents.join('\n---\n'));
      await run(
        join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk8s'),
        ['import', '--no-check-upgrade', '--no-save', '--language', 'typescript', '--output', outdir, joined],
        { cwd: work },
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  await importCrds(join(PROJECT_ROOT, 'imports'));
  console.log(`imports/ regenerated from ${Object.keys(CRD_GROUPS).join(', ')}`);
}
