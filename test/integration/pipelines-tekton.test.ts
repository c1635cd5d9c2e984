/**
 * The shop's release pipeline, run by the real Tekton Pipelines controller on the test control plane.
 * kwok plays each Task pod (test/cluster/tekton.ts): every step completes, with exit code 1 for the steps a
 * Task's fail-steps annotation names, and the results of its results annotation. Tekton decides the rest:
 * which TaskRuns to create and when, what params they get from earlier results, what to skip, and
 * what runs finally.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { CustomObjectsApi, Watch } from '@kubernetes/client-node';
import { describeCluster, eventually, testKubeConfig } from './cluster.js';
import { cli, writeManifests } from './client-cli.js';
import { applyRelease, COMMIT, DIGEST, synthShopRelease } from './pipelines-shop.js';

interface TaskRun extends KubernetesObject {
  spec: { params?: { name: string; value: string }[]; serviceAccountName?: string };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** Records, in the order the API server tells them, when each TaskRun was created and when it finished. */
function recordTaskRuns(namespace: string) {
  const events: string[] = [];
  const taskRuns = new Map<string, TaskRun>();
  const watch = new Watch(testKubeConfig());
  const request = watch.watch(
    `/apis/tekton.dev/v1/namespaces/${namespace}/taskruns`,
    {},
    (type: string, object: TaskRun) => {
      const task = object.metadata!.labels?.['tekton.dev/pipelineTask'] ?? object.metadata!.name!;
      const done = object.status?.conditions?.find((c) => c.type === 'Succeeded' && c.status !== 'Unknown');
      if (type === 'ADDED') {
        events.push(`created ${task}`);
      }
      if (done && !events.includes(`finished ${task}`)) {
        events.push(`finished ${task}`);
      }
      taskRuns.set(task, object);
    },
    () => {},
  );
  return { events, taskRuns, stop: async () => (await request).abort() };
}

async function pipelineRunOf(namespace: string, name: string) {
  return (await testKubeConfig().makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: 'tekton.dev',
    version: 'v1',
    namespace,
    plural: 'pipelineruns',
    name,
  })) as {
    status?: {
      conditions?: { type: string; status: string; reason?: string; message?: string }[];
      results?: { name: string; value: string }[];
      skippedTasks?: { name: string; reason: string }[];
    };
  };
}

async function finished(namespace: string, name: string) {
  return eventually(
    `PipelineRun ${namespace}/${name} to finish`,
    async () => {
      const run = await pipelineRunOf(namespace, name);
      const succeeded = run.status?.conditions?.find((c) => c.type === 'Succeeded');
      return succeeded && succeeded.status !== 'Unknown' ? { run, succeeded } : undefined;
    },
    90_000,
  );
}

const param = (taskRun: TaskRun | undefined, name: string) =>
  taskRun?.spec.params?.find((p) => p.name === name)?.value;

describeCluster('the shop release pipeline on the real Tekton controller', () => {
  test('runs to Succeeded: tasks in runAfter order, results passed along, the deploy pinned to the built digests', async () => {
    const release = synthShopRelease();
    const recorder = recordTaskRuns(release.namespace);
    await applyRelease(release);
    const { run, succeeded } = await finished(release.namespace, release.run.metadata.name);
    await eventually('the notify TaskRun to be recorded as finished', () =>
      recorder.events.includes('finished notify') ? true : undefined,
    );
    await recorder.stop();
    expect(succeeded).toMatchObject({ status: 'True', reason: 'Succeeded' });

    // Every task starts only after every task of the stage before has finished.
    const stages = [
      ['fetch'],
      ['api-build', 'storefront-build', 'synth'],
      ['api-image', 'storefront-image'],
      ['approve'],
      ['deploy'],
      ['notify'],
    ];
    const at = (event: string) => recorder.events.indexOf(event);
    for (let i = 1; i < stages.length; i++) {
      for (const task of stages[i]) {
        for (const before of stages[i - 1]) {
          expect({ task, before, order: at(`finished ${before}`) < at(`created ${task}`) }).toEqual({
            task,
            before,
            order: true,
          });
        }
      }
    }
    expect(recorder.events.filter((e) => e.startsWith('created')).sort()).toEqual(
      stages
        .flat()
        .map((t) => `created ${t}`)
        .sort(),
    );

    // Results went from task to task as the pipeline says.
    const runs = recorder.taskRuns;
    expect(param(runs.get('api-build'), 'source-version')).toBe(COMMIT);
    expect(param(runs.get('api-image'), 'IMAGE')).toBe(`ghcr.io/cdk8s-devops/api:${COMMIT}`);
    expect(param(runs.get('deploy'), 'image-api')).toBe(`ghcr.io/cdk8s-devops/api@${DIGEST('api')}`);
    expect(param(runs.get('deploy'), 'image-storefront')).toBe(
      `ghcr.io/cdk8s-devops/storefront@${DIGEST('storefront')}`,
    );
    expect(param(runs.get('notify'), 'status')).toBe('Succeeded');
    expect(run.status?.results).toEqual([
      { name: 'api-image-digest', value: DIGEST('api') },
      { name: 'storefront-image-digest', value: DIGEST('storefront') },
    ]);
    // Each task runs as its own ServiceAccount.
    expect(runs.get('fetch')?.spec.serviceAccountName).toBe('shop-source-git');
    expect(runs.get('api-build')?.spec.serviceAccountName).toBe('api-build-build');
    expect(runs.get('deploy')?.spec.serviceAccountName).toBe('deploy');
  });

  test('a failing build step fails the run, skips the images, approval and deploy, and still runs finally', async () => {
    // The build phase fails; the finish step then fails the TaskRun, as the generated scripts do.
    const release = synthShopRelease({ 'api-build': 'build,finish' });
    const recorder = recordTaskRuns(release.namespace);
    await applyRelease(release);
    const { run, succeeded } = await finished(release.namespace, release.run.metadata.name);
    await eventually('the notify TaskRun to be recorded as finished', () =>
      recorder.events.includes('finished notify') ? true : undefined,
    );
    await recorder.stop();
    expect(succeeded).toMatchObject({ status: 'False', reason: 'Failed' });
    const runs = recorder.taskRuns;
    expect(runs.get('api-build')?.status?.conditions?.[0]).toMatchObject({
      status: 'False',
      reason: 'StepFailed',
      message: '"step-build" exited with code 1: Error',
    });
    expect([...runs.keys()].sort()).toEqual(['api-build', 'fetch', 'notify', 'storefront-build', 'synth']);
    expect(run.status?.skippedTasks?.map((t) => t.name).sort()).toEqual([
      'api-image',
      'approve',
      'deploy',
      'storefront-image',
    ]);
    expect(param(runs.get('notify'), 'status')).toBe('Failed');
    expect(runs.get('notify')?.status?.conditions?.[0]).toMatchObject({ status: 'True' });

    // watch follows the PipelineRun to its end and names the failed task and step.
    const file = await writeManifests([release.run]);
    const watched = await cli(['watch', file, '-n', release.namespace, '--timeout', '60s']);
    expect(watched.code).toBe(1);
    expect(watched.stdout).toContain(
      `PipelineRun/${release.namespace}/${release.run.metadata.name} failed: Failed: Tasks Completed: 5 (Failed: 1, Cancelled 0), Skipped: 4; task api-build failed: "step-build" exited with code 1: Error`,
    );
  });
});
