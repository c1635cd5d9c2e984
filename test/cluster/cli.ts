/**
 * `npm run cluster:up` keeps a control plane running for manual work; `npm run cluster:down` stops it.
 * `npm run cluster:build` only builds the components.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CACHE_ROOT, ensureComponents } from './components.js';
import type { ControlPlaneState } from './control-plane.js';
import { ControlPlane } from './control-plane.js';

const STATE_FILE = join(CACHE_ROOT, 'cluster.json');
const log = (line: string) => console.error(`[cluster] ${line}`);

async function up(): Promise<void> {
  if (existsSync(STATE_FILE)) {
    const state = JSON.parse(await readFile(STATE_FILE, 'utf8')) as ControlPlaneState;
    console.log(`a control plane is already up: export KUBECONFIG=${state.kubeconfig}`);
    return;
  }
  const plane = await ControlPlane.start({ log, stopWithParent: false });
  await writeFile(STATE_FILE, JSON.stringify(plane.state, null, 2));
  console.log(`export KUBECONFIG=${plane.kubeconfig}`);
  console.log(`# Prometheus: ${plane.state.prometheus}  test exporter: ${plane.state.exporter}`);
}

async function down(): Promise<void> {
  if (!existsSync(STATE_FILE)) {
    console.log('no control plane is up');
    return;
  }
  await ControlPlane.stopFromState(JSON.parse(await readFile(STATE_FILE, 'utf8')) as ControlPlaneState);
  await rm(STATE_FILE);
  console.log('control plane stopped');
}

const commands: Record<string, () => Promise<unknown>> = { up, down, build: () => ensureComponents(log) };
const command = commands[process.argv[2] ?? ''];
if (!command) {
  console.error(`usage: cli.ts ${Object.keys(commands).join('|')}`);
  process.exit(2);
}
try {
  await command();
} catch (error) {
  console.error(`cluster ${process.argv[2]}: ${(error as Error).message}`);
  process.exit(1);
}
