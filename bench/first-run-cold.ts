/**
 * `npm run bench:first-run [-- --rev <commit>] [--keep]`: a new machine's first `npm test`, measured. It
 * clones the commit (HEAD by default: commit what you want measured) into a fresh folder, points the
 * component cache and Go's module and build caches at new empty folders, runs `.ci/run` there (npm ci,
 * every component built from source, every test) and writes the whole time, each component's build
 * time and the load average to `firstRun.coldRun` in bench/results.json. About 45 minutes on 2 cores.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { readBuildTimes } from '../test/cluster/build-times.js';
import { KUBECONFIG_VARIABLE } from '../test/cluster/test-cluster.js';
import { PROJECT_ROOT } from '../scripts/import-crds.js';
import type { ColdRun } from './first-run.js';
import { coldRunTable } from './first-run.js';
import { firstRunTarget, targetsTable } from './targets.js';

const run = promisify(execFile);

const { values } = parseArgs({
  options: {
    rev: { type: 'string', default: 'HEAD' },
    dir: { type: 'string', default: join(tmpdir(), 'cdk8s-devops-first-run') },
    output: { type: 'string', default: join(PROJECT_ROOT, 'bench', 'results.json') },
    keep: { type: 'boolean', default: false },
  },
});
const root = values.dir;
const load = () => Math.round(loadavg()[0] * 100) / 100;

/** Go makes its module cache read-only; a plain rm cannot remove it. */
async function removeTree(path: string): Promise<void> {
  if (existsSync(path)) {
    await run('chmod', ['-R', 'u+w', path]);
    await rm(path, { recursive: true, force: true });
  }
}

/** Runs `.ci/run` in the clone with the empty caches; resolves with its exit code and peak load. */
async function ciRun(repo: string, env: NodeJS.ProcessEnv, logFile: string) {
  const fd = openSync(logFile, 'w');
  let max = load();
  const sampler = setInterval(() => (max = Math.max(max, load())), 60_000);
  try {
    const child = spawn(join(repo, '.ci', 'run'), { cwd: repo, env, stdio: ['ignore', fd, fd] });
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => resolve(code ?? 1));
    });
    return { exitCode, max: Math.max(max, load()) };
  } finally {
    clearInterval(sampler);
    closeSync(fd);
  }
}

const commit = (await run('git', ['rev-parse', values.rev], { cwd: PROJECT_ROOT })).stdout.trim();
await removeTree(root);
const caches = { GOCACHE: 'gocache', GOMODCACHE: 'gomod', CDK8S_DEVOPS_CACHE: 'cache' };
for (const folder of Object.values(caches)) {
  await mkdir(join(root, folder), { recursive: true });
}
const repo = join(root, 'repo');
await run('git', ['clone', '-q', PROJECT_ROOT, repo]);
await run('git', ['checkout', '-q', commit], { cwd: repo });
const env: NodeJS.ProcessEnv = { ...process.env };
delete env[KUBECONFIG_VARIABLE]; // a cluster of its own, as on a new machine
for (const [name, folder] of Object.entries(caches)) {
  env[name] = join(root, folder);
}
const logFile = join(root, 'run.log');
console.log(`.ci/run of ${commit.slice(0, 7)} in ${repo}, empty caches; log: ${logFile}`);
const started = Date.now();
const startLoad = load();
const { exitCode, max } = await ciRun(repo, env, logFile);
const log = await readFile(logFile, 'utf8');
const coldRun: ColdRun = {
  date: new Date(started).toISOString(),
  commit,
  cpus: cpus().length,
  loadAverage: { start: startLoad, max, end: load() },
  exitCode,
  seconds: Math.round((Date.now() - started) / 1000),
  builds: await readBuildTimes(env.CDK8S_DEVOPS_CACHE),
  tests: log.match(/^summary: .*$/m)?.[0] ?? `no summary line (see ${logFile})`,
};
const results = existsSync(values.output)
  ? (JSON.parse(await readFile(values.output, 'utf8')) as Record<string, unknown>)
  : {};
const firstRun = (results.firstRun ?? { builds: [] }) as { builds: unknown[] };
await writeFile(
  values.output,
  `${JSON.stringify({ ...results, firstRun: { ...firstRun, coldRun } }, null, 2)}\n`,
);
console.log(`${coldRunTable(coldRun)}\n\n${targetsTable([firstRunTarget(coldRun)])}`);
console.log(`\nwritten to ${values.output}`);
if (!values.keep) {
  await removeTree(root);
}
process.exitCode = exitCode;
