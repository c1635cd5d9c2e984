/**
 * Failures explained (issue 10, case 11), on the real control plane: recurring Events aggregated in what
 * `watch`, `status` and `apply --wait` print, a timed-out wait that lists each object's last reason, a
 * Rollout whose ReplicaSet cannot create pods or whose analysis failed, and a Rollout no controller
 * observes.
 */
import { join } from 'node:path';
import { ApiClient } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { cli, deployment, serviceAccountToken, writeManifests } from './client-cli.js';
import {
  createNamespace,
  describeCluster,
  serverSideApply,
  testKubeConfig,
  writeKubeconfig,
} from './cluster.js';
import { describeRollouts } from './rollouts.js';

const RESTRICTED = { 'pod-security.kubernetes.io/enforce': 'restricted' };

/** A pod template that Pod Security "restricted" refuses (no securityContext at all). */
const template = (app: string, image = 'nginx:1.27') => ({
  metadata: { labels: { app } },
  spec: { containers: [{ name: 'app', image }] },
});

/** The same, as "restricted" admits it. */
const restrictedTemplate = (app: string, image: string) => ({
  metadata: { labels: { app } },
  spec: {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image,
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
  },
});

function job(namespace: string, name: string): Manifest {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace },
    spec: {
      backoffLimit: 0,
      template: { ...template(name), spec: { ...template(name).spec, restartPolicy: 'Never' } },
    },
  };
}

function rollout(
  namespace: string,
  name: string,
  spec: object,
  labels: Record<string, string> = {},
): Manifest {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace, labels },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, ...spec },
  };
}

/** `apply --wait` into the ApplySet `explain`, for at most `timeout`. */
const applyAndWait = (file: string, ns: string, timeout: string) =>
  cli(['apply', file, '-n', ns, '--applyset', 'explain', '--yes', '--wait', '--timeout', timeout]);

describeCluster('failures explained', () => {
  test('recurring Events are aggregated, and a timed-out wait lists each object with its last reason', async () => {
    const ns = await createNamespace('client-explain', RESTRICTED);
    // The Job controller tries again and again to create the pod that Pod Security refuses: one
    // FailedCreate Event per try, each naming another generated pod name.
    const file = await writeManifests([job(ns, 'migrate')]);
    const apply = await applyAndWait(file, ns, '12s');
    expect(apply.code).toBe(2);
    const lastReason = new RegExp(
      `  - Job/${ns}/migrate: timed out: 0 active, 0 succeeded; last warning: FailedCreate x(\\d+) over \\d+s: Error creating: pods "migrate-[a-z0-9]+" is forbidden: violates PodSecurity "restricted:latest"`,
    );
    // The API server warns at the apply that the Job's pods would violate the namespace's policy.
    expect(apply.stderr).toMatch(
      new RegExp(
        `^Warning: would violate PodSecurity "restricted:latest": .+\\nerror: 1 object did not become ready:\\n${lastReason.source}`,
      ),
    );
    expect(Number(lastReason.exec(apply.stderr)![1])).toBeGreaterThanOrEqual(2);
    // Told once, then again at 2, 4, ... occurrences: never one line per retry.
    const told = [
      ...apply.stdout.matchAll(/Job\/\S+\/migrate event Warning FailedCreate( x(\d+) over \d+s)?: /g),
    ];
    expect(told.length).toBeGreaterThanOrEqual(2);
    expect(told.map((m) => Number(m[2] ?? 1))).toEqual(told.map((_, i) => 2 ** i));

    const watch = await cli(['watch', file, '-n', ns, '--applyset', 'explain', '--timeout', '5s']);
    expect(watch.code).toBe(2);
    expect(watch.stdout).toMatch(new RegExp(`timed out: 0 of 1 objects ready\\n${lastReason.source}`));

    const status = await cli(['status', file, '-n', ns, '--applyset', 'explain']);
    expect(status.code).toBe(2);
    expect(status.stdout).toMatch(
      new RegExp(
        `Job/${ns}/migrate  progressing: 0 active, 0 succeeded; last warning: FailedCreate x\\d+ over \\d+s: Error creating: pods "migrate-[a-z0-9]+" is forbidden: violates PodSecurity`,
      ),
    );
  });

  test("a timed-out apply --wait reports no last warning from an older release, only this apply's", async () => {
    const ns = await createNamespace('client-explain');
    const first = await writeManifests([deployment(ns, 'web')]);
    expect((await cli(['apply', first, '-n', ns, '--applyset', 'explain', '--yes'])).code).toBe(0);
    const uid = (
      await ApiClient.fromKubeConfig(testKubeConfig()).request<Manifest>({
        path: `/apis/apps/v1/namespaces/${ns}/deployments/web`,
      })
    ).metadata.uid;
    // What an older release left: a Warning about the Deployment, last seen 25 minutes ago.
    const longAgo = new Date(Date.now() - 25 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await serverSideApply([
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'web.old-release', namespace: ns },
        involvedObject: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'web',
          namespace: ns,
          uid,
        },
        type: 'Warning',
        reason: 'ProgressDeadlineExceeded',
        message: 'ReplicaSet "web-old" has timed out progressing.',
        firstTimestamp: longAgo,
        lastTimestamp: longAgo,
        count: 1,
        source: { component: 'deployment-controller' },
      },
    ]);
    // This release's pods are Ready but never available long enough: it times out with no Warning of its own.
    // A new pod template makes them new pods: changing minReadySeconds alone races the ReplicaSet
    // controller, which may not have counted the old pods unavailable when the Deployment is judged.
    const slow = deployment(ns, 'web') as Manifest & { spec: { template: { metadata: object } } };
    const template = {
      ...slow.spec.template,
      metadata: { ...slow.spec.template.metadata, annotations: { release: 'slow' } },
    };
    const file = await writeManifests([{ ...slow, spec: { ...slow.spec, template, minReadySeconds: 300 } }]);
    const apply = await applyAndWait(file, ns, '10s');
    expect(apply.code).toBe(2);
    expect(apply.stderr).toContain(`  - Deployment/${ns}/web: timed out: `);
    expect(apply.stderr).not.toContain('last warning');
    // `watch` on its own has no apply to start from: it still tells the latest Warning, however old.
    const watch = await cli(['watch', file, '-n', ns, '--applyset', 'explain', '--timeout', '3s']);
    expect(watch.stdout).toContain('last warning: ProgressDeadlineExceeded');
  });

  test('a user who may not list what an object owns or refers to (ReplicaSets, HorizontalPodAutoscalers) still gets it judged, on its own status', async () => {
    const ns = await createNamespace('client-explain');
    const file = await writeManifests([deployment(ns, 'web')]);
    expect(
      (await cli(['apply', file, '-n', ns, '--applyset', 'explain', '--yes', '--wait', '--timeout', '60s']))
        .code,
    ).toBe(0);
    // Deployments only: no ReplicaSets, Pods, Events or HorizontalPodAutoscalers.
    await serverSideApply([
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'watcher', namespace: ns } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'watcher', namespace: ns },
        rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'watcher', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'watcher' },
        subjects: [{ kind: 'ServiceAccount', name: 'watcher', namespace: ns }],
      },
    ] as Manifest[]);
    const kubeconfig = join(file.replace(/\/[^/]+$/, ''), 'watcher.kubeconfig');
    await writeKubeconfig(kubeconfig, { token: await serviceAccountToken(ns, 'watcher') }, ns);
    const watch = await cli([
      'watch',
      file,
      '--applyset',
      'explain',
      '--timeout',
      '20s',
      '--kubeconfig',
      kubeconfig,
    ]);
    expect(watch.code).toBe(0);
    expect(watch.stdout).toContain('ready: 1 of 1 objects ready\n');
  });

  test('a Rollout that no controller observes is reported as such after a short grace period', async () => {
    const ns = await createNamespace('client-explain');
    // The harness runs a controller, but one without an instance id: a Rollout labelled for another
    // instance is one that no running controller will ever observe.
    const file = await writeManifests([
      rollout(
        ns,
        'web',
        { template: restrictedTemplate('web', 'nginx:1.27'), strategy: { canary: {} } },
        { 'argo-rollouts.argoproj.io/controller-instance-id': 'nobody' },
      ),
    ]);
    expect((await cli(['apply', file, '-n', ns, '--applyset', 'explain', '--yes'])).code).toBe(0);
    const watch = await cli(['watch', file, '-n', ns, '--applyset', 'explain', '--timeout', '120s']);
    expect(watch.code).toBe(1);
    expect(watch.stdout).toContain(
      `Rollout/${ns}/web Progressing: waiting for rollout spec update to be observed`,
    );
    expect(watch.stdout).toMatch(
      new RegExp(
        `Rollout/${ns}/web failed: no Argo Rollouts controller of instance nobody \\(label argo-rollouts.argoproj.io/controller-instance-id\\) is running: generation 1 was written (3\\d) s ago and no controller has ever observed the Rollout; install or start the controller`,
      ),
    );
  });
});

describeRollouts("failures explained from a Rollout's ReplicaSets and AnalysisRuns", () => {
  test('a Rollout whose ReplicaSet cannot create pods fails fast with the admission message', async () => {
    const ns = await createNamespace('client-explain', RESTRICTED);
    const file = await writeManifests([
      rollout(ns, 'web', { template: template('web'), strategy: { canary: {} } }),
    ]);
    expect((await cli(['apply', file, '-n', ns, '--applyset', 'explain', '--yes'])).code).toBe(0);
    const watch = await cli(['watch', file, '-n', ns, '--applyset', 'explain', '--timeout', '90s']);
    expect(watch.code).toBe(1);
    expect(watch.stdout).toMatch(
      new RegExp(
        `Rollout/${ns}/web Degraded: ReplicaSet web-[a-z0-9]+: FailedCreate: pods "web-[a-z0-9]+-[a-z0-9]+" is forbidden: violates PodSecurity "restricted:latest"`,
      ),
    );
  });

  test("a failed AnalysisRun is named with its metric and the controller's message", async () => {
    const ns = await createNamespace('client-explain');
    const analysis: Manifest = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'error-rate', namespace: ns },
      spec: {
        metrics: [
          {
            name: 'error-rate',
            consecutiveErrorLimit: 0,
            failureCondition: 'result[0] > 0.05',
            // Nothing listens there: the measurement itself fails.
            provider: { prometheus: { address: 'http://127.0.0.1:9', query: 'vector(0)' } },
          },
        ],
      },
    };
    const revision = (image: string) =>
      writeManifests([
        analysis,
        rollout(ns, 'web', {
          template: restrictedTemplate('web', image),
          strategy: {
            canary: {
              steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: 'error-rate' }] } }],
            },
          },
        }),
      ]);
    const v1 = await revision('nginx:1.27');
    expect(
      (await cli(['apply', v1, '-n', ns, '--applyset', 'explain', '--yes', '--wait', '--timeout', '60s']))
        .code,
    ).toBe(0);
    const v2 = await revision('nginx:1.28');
    expect((await cli(['apply', v2, '-n', ns, '--applyset', 'explain', '--yes'])).code).toBe(0);
    const watch = await cli(['watch', v2, '-n', ns, '--applyset', 'explain', '--timeout', '90s']);
    expect(watch.code).toBe(1);
    expect(watch.stdout).toMatch(
      new RegExp(
        `Rollout/${ns}/web Degraded: RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: Metric "error-rate" assessed Error due to consecutiveErrors \\(1\\) > consecutiveErrorLimit \\(0\\): .*; AnalysisRun web-[a-z0-9]+-2-1 Error: error-rate \\(limit: result\\[0\\] > 0\\.05\\): Post "http://127\\.0\\.0\\.1:9/api/v1/query": dial tcp 127\\.0\\.0\\.1:9: connect: connection refused`,
      ),
    );
  });
});
