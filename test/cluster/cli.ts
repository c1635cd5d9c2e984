/**
 * `npm run cluster:up` keeps a control plane running for manual work; `npm run cluster:down` stops it.
 * `npm run cluster:build` only builds the components. Each cluster has a name (`-- --name <name>`,
 * default `default`) and its own state file, so that clusters of several people or tasks on one machine
 * never stop each other.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureComponents } from './components.js';
import { CACHE_ROOT } from './go-build.js';
import type { ControlPlaneState } from './control-plane.js';
import { ControlPlane } from './control-plane.js';
import { isAlive } from './processes.js';

const STATE_DIR = join(CACHE_ROOT, 'clusters');
const log = (line: string) => console.error(`[cluster] ${line}`);

/** Where clusters started before they had names kept their one state: the `default` cluster's now. */
const LEGACY_STATE_FILE = join(CACHE_ROOT, 'cluster.json');

const stateFile = (name: string) =>
  name === 'default' && existsSync(LEGACY_STATE_FILE) ? LEGACY_STATE_FILE : join(STATE_DIR, `${name}.json`);

/** The state of the cluster `name` when its API server still runs; a stale file is removed. */
async function runningState(name: string): Promise<ControlPlaneState | undefined> {
  const file = stateFile(name);
  if (!existsSync(file)) {
    return undefined;
  }
  const state = JSON.parse(await readFile(file, 'utf8')) as ControlPlaneState;
  const apiserver = state.pids['kube-apiserver'];
  if (apiserver && isAlive(apiserver)) {
    return state;
  }
  // The machine restarted, or its processes were killed: stop what is left of it and forget it.
  await ControlPlane.stopFromState(state);
  await rm(file);
  log(`cluster "${name}" was no longer running; its state was removed`);
  return undefined;
}

async function up(name: string): Promise<void> {
  const running = await runningState(name);
  if (running) {
    // A state written before clusters had a git server names none.
    const git = running.git ? ` CDK8S_DEVOPS_GIT_URL=${running.git}/gitops.git` : '';
    console.log(`cluster "${name}" is already up: export KUBECONFIG=${running.kubeconfig}${git}`);
    return;
  }
  const plane = await ControlPlane.start({ log, stopWithParent: false });
  await mkdir(STATE_DIR, { recursive: true });
  await writeFile(stateFile(name), JSON.stringify(plane.state, null, 2));
  // The GitOps repository Flux and `cdk8s-devops publish` share; the server creates it empty.
  const gitops = `${plane.state.git}/gitops.git`;
  const created = await fetch(`${plane.state.git}/repositories/gitops.git`, { method: 'POST' });
  if (!created.ok) {
    throw new Error(`the git server did not create ${gitops}: HTTP ${created.status}`);
  }
  console.log(`export KUBECONFIG=${plane.kubeconfig}`);
  console.log(`export CDK8S_DEVOPS_GIT_URL=${gitops}`);
  const monitoring = plane.state.monitoring;
  if (monitoring) {
    console.log(
      `# Prometheus (configured by the Prometheus Operator at ${monitoring.prometheusOperator}): ${monitoring.prometheus}  Alertmanager: ${monitoring.alertmanager}  test exporter: ${plane.state.exporter}`,
    );
  }
  console.log(`# stop it with: npm run cluster:down${name === 'default' ? '' : ` -- --name ${name}`}`);
}

async function down(name: string): Promise<void> {
  const file = stateFile(name);
  if (!existsSync(file)) {
    const others = existsSync(STATE_DIR)
      ? (await readdir(STATE_DIR)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5))
      : [];
    console.log(
      `no cluster "${name}" is up${others.length > 0 ? ` (up: ${others.map((o) => `"${o}"`).join(', ')}; pass --name)` : ''}`,
    );
    return;
  }
  await ControlPlane.stopFromState(JSON.parse(await readFile(file, 'utf8')) as ControlPlaneState);
  await rm(file);
  console.log(`cluster "${name}" stopped`);
}

const commands: Record<string, (name: string) => Promise<unknown>> = {
  up,
  down,
  build: () => ensureComponents(log),
};
try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string', default: 'default' } },
  });
  const command = commands[positionals[0] ?? ''];
  if (!command || positionals.length > 1) {
    throw new Error(`usage: cli.ts ${Object.keys(commands).join('|')} [--name <name>]`);
  }
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(values.name)) {
    throw new Error(
      `--name "${values.name}": a cluster's name must be lowercase letters, digits and '-' (it names its state file ${stateFile('<name>')})`,
    );
  }
  await command(values.name);
} catch (error) {
  console.error(`cluster ${process.argv[2] ?? ''}: ${(error as Error).message}`);
  process.exit(process.argv[2] && commands[process.argv[2]] ? 1 : 2);
}
