import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { binaryPath } from '../cluster/components.js';
import type { ControlPlaneState } from '../cluster/control-plane.js';
import { isAlive } from '../cluster/control-plane.js';
import { PROJECT_ROOT } from '../util/project.js';
import { describeCluster, eventually } from './cluster.js';

const built = existsSync(binaryPath('kube-apiserver'));

(built ? describeCluster : describe.skip)('the control-plane harness', () => {
  test('stops every process it started when the process that started them is killed', async () => {
    const script = [
      `import { ControlPlane } from '${join(PROJECT_ROOT, 'test/cluster/control-plane.ts')}';`,
      `const plane = await ControlPlane.start({ nodes: 1 });`,
      `console.log(JSON.stringify(plane.state));`,
      `setInterval(() => {}, 1000);`,
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const state = await eventually('the control plane to start', () =>
      output.includes('\n') ? (JSON.parse(output) as ControlPlaneState) : undefined,
    );
    const pids = Object.values(state.pids);
    expect(Object.keys(state.pids).sort()).toEqual([
      'etcd',
      'exporter',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'kwok',
      'prometheus',
      'rollouts-controller',
    ]);
    expect(pids.every(isAlive)).toBe(true);

    child.kill('SIGKILL');
    await eventually('every component to stop', () => (pids.some(isAlive) ? undefined : true), 15_000);
    await sleep(200);
    expect(existsSync(state.dataDir)).toBe(false);
  });
});
