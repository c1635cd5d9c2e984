import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { ApiClient } from '../../client/transport/api-client.js';
import { binaryPath } from '../cluster/components.js';
import type { ControlPlaneState } from '../cluster/control-plane.js';
import { isAlive } from '../cluster/processes.js';
import { installCrds } from '../cluster/crds.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { PROJECT_ROOT } from '../util/project.js';
import { describeCluster, eventually, testKubeConfig } from './cluster.js';

const testKubeConfigPath = () => process.env[KUBECONFIG_VARIABLE]!;

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
    // With the controllers beside it, a start on a busy machine can take over a minute.
    const state = await eventually(
      'the control plane to start',
      () => (output.includes('\n') ? (JSON.parse(output) as ControlPlaneState) : undefined),
      180_000,
    ).catch((error: unknown) => {
      // Its watchdog stops whatever it started by then.
      child.kill('SIGKILL');
      throw error;
    });
    const pids = Object.values(state.pids);
    expect(Object.keys(state.pids).sort()).toEqual([
      'alertmanager',
      'config-reloader',
      'etcd',
      'exporter',
      'git-server',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'kustomize-controller',
      'kwok',
      'prometheus',
      'prometheus-operator',
      'rollouts-controller',
      'source-controller',
      'tekton-pipelines-controller',
      'tekton-triggers-controller',
      'tekton-triggers-interceptors',
    ]);
    expect(pids.every(isAlive)).toBe(true);

    child.kill('SIGKILL');
    await eventually('every component to stop', () => (pids.some(isAlive) ? undefined : true), 15_000);
    await sleep(200);
    expect(existsSync(state.dataDir)).toBe(false);
  }, 240_000);

  test('waits for CRDs by watching them, and at the deadline names each one not Established with its conditions', async () => {
    const group = `harness-${randomBytes(3).toString('hex')}.example.com`;
    const crd = (plural: string, kind: string): V1CustomResourceDefinition => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural, kind, singular: kind.toLowerCase(), listKind: `${kind}List` },
        versions: [
          { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
        ],
      },
    });
    const kubeconfig = testKubeConfigPath();
    await installCrds(kubeconfig, [crd('widgets', 'Widget')]);
    // The same kind (and list kind) under another plural: the API server never accepts its names, so it is
    // never Established.
    const error = await installCrds(
      kubeconfig,
      [crd('widgets', 'Widget'), crd('gadgets', 'Widget')],
      3000,
    ).catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^1 of 2 objects were not Established within 3s \\(a heavily loaded machine slows the controllers that set it; see their logs\\):\n  - gadgets\\.${group.replace(/\./g, '\\.')}: NamesAccepted=False \\(ListKindConflict: "WidgetList" is already in use\\), Established=False \\(NotAccepted: not all names are accepted\\)$`,
      ),
    );
    for (const plural of ['widgets', 'gadgets']) {
      await ApiClient.fromKubeConfig(testKubeConfig()).request({
        method: 'DELETE',
        path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${plural}.${group}`,
      });
    }
  });
});
