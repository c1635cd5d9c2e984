/**
 * How long each component's build took, kept beside the components in the cache (`build-times.json`), so
 * that `npm run bench` can show what the first run on this machine cost (bench/first-run.ts).
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { BuildLog } from './go-build.js';
import { CACHE_ROOT } from './go-build.js';

/** One component's latest build. */
export interface BuildTime {
  /** What was built, as its cache folder names it (`kubernetes`, `tekton`, `flux-source-controller`). */
  readonly module: string;
  readonly version: string;
  readonly seconds: number;
  readonly cpus: number;
  /** The one-minute load average when the build finished: the builds of a loaded machine take longer. */
  readonly loadAverage: number;
  /** When the build finished (ISO 8601). */
  readonly date: string;
}

export function buildTimesPath(root = CACHE_ROOT): string {
  return join(root, 'build-times.json');
}

export async function readBuildTimes(root = CACHE_ROOT): Promise<BuildTime[]> {
  const path = buildTimesPath(root);
  if (!existsSync(path)) {
    return [];
  }
  try {
    return JSON.parse(await readFile(path, 'utf8')) as BuildTime[];
  } catch (error) {
    throw new Error(
      `${path} is not the JSON list of build times the harness writes (${(error as Error).message}): delete it, the next build writes it anew`,
    );
  }
}

/** Records a build, replacing an earlier one of the same module; written whole, then renamed into place. */
export async function recordBuildTime(
  build: Pick<BuildTime, 'module' | 'version' | 'seconds'>,
  root = CACHE_ROOT,
): Promise<BuildTime> {
  const entry: BuildTime = {
    ...build,
    cpus: cpus().length,
    loadAverage: Math.round(loadavg()[0] * 100) / 100,
    date: new Date().toISOString(),
  };
  const others = (await readBuildTimes(root)).filter((b) => b.module !== build.module);
  const path = buildTimesPath(root);
  await writeFile(`${path}.${process.pid}`, `${JSON.stringify([...others, entry], null, 2)}\n`);
  await rename(`${path}.${process.pid}`, path);
  return entry;
}

/** Runs one component's build, logs `built <what> in <n>s` and records its time. */
export async function timedBuild(
  what: { readonly module: string; readonly version: string; readonly name: string },
  log: BuildLog,
  build: () => Promise<void>,
  root = CACHE_ROOT,
): Promise<void> {
  const started = Date.now();
  await build();
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  await recordBuildTime({ module: what.module, version: what.version, seconds }, root);
  log(`built ${what.name} ${what.version} in ${Math.round(seconds)}s`);
}
