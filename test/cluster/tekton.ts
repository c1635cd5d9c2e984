/**
 * The Tekton Pipelines and Triggers controllers, built from their Go modules into the component cache and
 * run outside the cluster against the test control plane, so that PipelineRuns really run.
 *
 * kwok runs no container: a kwok Stage (tekton-stage.ts) plays each Tekton pod's steps, so TaskRuns and
 * PipelineRuns succeed or fail in the order Tekton decides, results included.
 */
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildLog } from './components.js';
import { buildIntoDir, CACHE_ROOT, go } from './components.js';

export const TEKTON_VERSIONS = { pipeline: 'v1.15.0', triggers: 'v0.37.0' } as const;

/** One folder for both: Triggers requires Pipelines (same knative), so one wrapper module builds all four. */
export function tektonDir(): string {
  return join(
    CACHE_ROOT,
    'bin',
    `tekton-pipeline-${TEKTON_VERSIONS.pipeline}-triggers-${TEKTON_VERSIONS.triggers}`,
  );
}

export const TEKTON_COMMANDS = [
  'pipelines-controller',
  'triggers-controller',
  'triggers-interceptors',
  'eventlistenersink',
] as const;
export type TektonCommand = (typeof TEKTON_COMMANDS)[number];

export function tektonBinary(name: TektonCommand): string {
  return join(tektonDir(), name);
}

/** The upstream ConfigMaps (config/config-*.yaml of each module), copied beside the binaries. */
export function tektonConfigDir(project: keyof typeof TEKTON_VERSIONS): string {
  return join(tektonDir(), `config-${project}`);
}

const MAINS = join(import.meta.dirname, 'tekton');

/** Builds the Tekton binaries unless the cache has them. */
export async function ensureTekton(log: BuildLog): Promise<void> {
  if (TEKTON_COMMANDS.every((c) => existsSync(tektonBinary(c)))) {
    return;
  }
  log(
    `building Tekton Pipelines ${TEKTON_VERSIONS.pipeline} and Triggers ${TEKTON_VERSIONS.triggers} controllers (first run only)`,
  );
  const started = Date.now();
  await buildIntoDir(tektonDir(), async (scratch) => {
    // `go install github.com/tektoncd/pipeline/cmd/controller@v1.15.0` fails (the proxy lists no versions
    // for it), so a wrapper module requires both projects; its own mains (test/cluster/tekton/) run the
    // controllers without knative's fixed-port probe server and the interceptors on a port of our choice.
    const sink = 'github.com/tektoncd/triggers/cmd/eventlistenersink';
    await writeFile(
      join(scratch, 'go.mod'),
      [
        'module cdk8s-devops/tekton',
        '',
        'go 1.26.4',
        '',
        'require (',
        `\tgithub.com/tektoncd/pipeline ${TEKTON_VERSIONS.pipeline}`,
        `\tgithub.com/tektoncd/triggers ${TEKTON_VERSIONS.triggers}`,
        ')',
        '',
        `tool ${sink}`,
        '',
      ].join('\n'),
    );
    const mains = TEKTON_COMMANDS.filter((c) => c !== 'eventlistenersink');
    for (const main of mains) {
      await mkdir(join(scratch, 'cmd', main), { recursive: true });
      await copyFile(join(MAINS, main, 'main.go'), join(scratch, 'cmd', main, 'main.go'));
    }
    await go(['mod', 'tidy'], scratch);
    await go(
      ['build', '-trimpath', '-ldflags', '-s -w', '-o', 'out/', ...mains.map((m) => `./cmd/${m}`), sink],
      scratch,
    );
    for (const [project, module] of [
      ['pipeline', 'github.com/tektoncd/pipeline'],
      ['triggers', 'github.com/tektoncd/triggers'],
    ] as const) {
      const { Dir } = JSON.parse(
        await go(['mod', 'download', '-json', `${module}@${TEKTON_VERSIONS[project]}`], scratch),
      ) as { Dir: string };
      const target = join(scratch, 'out', `config-${project}`);
      await mkdir(target);
      for (const file of (await readdir(join(Dir, 'config'))).filter((f) => /^config-.*\.yaml$/.test(f))) {
        await writeFile(join(target, file), await readFile(join(Dir, 'config', file), 'utf8'));
      }
    }
  });
  log(`built the Tekton controllers in ${((Date.now() - started) / 1000).toFixed(0)}s`);
}
