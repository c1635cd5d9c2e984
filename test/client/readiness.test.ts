import type { LiveObject, OwnedObjects } from '../../client/wait/readiness/index.js';
import { DEFAULT_READINESS, readinessOf } from '../../client/wait/readiness/index.js';

const object = (
  apiVersion: string,
  kind: string,
  spec: object,
  status?: Record<string, unknown>,
  generation = 2,
): LiveObject => ({
  apiVersion,
  kind,
  metadata: { name: 'x', namespace: 'ns', generation },
  spec,
  status,
});
const condition = (type: string, status: string, reason = '', message = '') => ({
  type,
  status,
  reason,
  message,
});

describe('readiness checkers check observedGeneration first', () => {
  test.each([
    ['apps/v1', 'Deployment'],
    ['apps/v1', 'StatefulSet'],
    ['apps/v1', 'DaemonSet'],
    ['apps/v1', 'ReplicaSet'],
  ])(
    '%s %s whose controller has seen an older spec is progressing, whatever the rest says',
    (apiVersion, kind) => {
      const stale = object(
        apiVersion,
        kind,
        { replicas: 1 },
        { observedGeneration: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 },
      );
      expect(readinessOf(stale)).toEqual({
        state: 'progressing',
        message: 'waiting for the controller to observe generation 2 (it has seen 1)',
      });
      expect(readinessOf({ ...stale, status: undefined })).toEqual({
        state: 'progressing',
        message: 'waiting for the controller to observe it',
      });
    },
  );
});

describe('Deployment', () => {
  const deployment = (status: object) =>
    object('apps/v1', 'Deployment', { replicas: 3 }, { observedGeneration: 2, ...status });
  test('ready when every replica is updated and available and no old one is left', () => {
    expect(readinessOf(deployment({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 })).state).toBe(
      'ready',
    );
  });
  test('progressing while updating, while old replicas terminate, while new ones become available', () => {
    expect(readinessOf(deployment({ replicas: 3, updatedReplicas: 1 })).message).toBe(
      '1 of 3 replicas updated',
    );
    expect(readinessOf(deployment({ replicas: 4, updatedReplicas: 3 })).message).toBe(
      '1 old replicas pending termination',
    );
    expect(readinessOf(deployment({ replicas: 3, updatedReplicas: 3, availableReplicas: 2 })).message).toBe(
      '2 of 3 updated replicas available',
    );
  });
  test('failed when the progress deadline is exceeded', () => {
    expect(
      readinessOf(
        deployment({
          conditions: [
            condition(
              'Progressing',
              'False',
              'ProgressDeadlineExceeded',
              'ReplicaSet "x" has timed out progressing.',
            ),
          ],
        }),
      ),
    ).toEqual({
      state: 'failed',
      message: 'ProgressDeadlineExceeded: ReplicaSet "x" has timed out progressing.',
    });
  });
});

describe('StatefulSet, DaemonSet, ReplicaSet', () => {
  test('a StatefulSet is ready when its replicas are ready and the update revision is current', () => {
    const sts = (status: object, spec: object = { replicas: 2 }) =>
      object('apps/v1', 'StatefulSet', spec, { observedGeneration: 2, ...status });
    expect(readinessOf(sts({ readyReplicas: 2, currentRevision: 'a', updateRevision: 'a' })).state).toBe(
      'ready',
    );
    expect(readinessOf(sts({ readyReplicas: 2, currentRevision: 'a', updateRevision: 'b' })).message).toBe(
      'waiting for revision b to roll out',
    );
    expect(readinessOf(sts({ readyReplicas: 1 })).message).toBe('1 of 2 replicas ready');
    expect(
      readinessOf(
        sts(
          { readyReplicas: 4, updatedReplicas: 1 },
          { replicas: 4, updateStrategy: { rollingUpdate: { partition: 2 } } },
        ),
      ).message,
    ).toBe('1 of 2 partitioned replicas updated');
  });
  test('a StatefulSet says why its pods are not ready: a pod that cannot start fails it, an unscheduled one is named', () => {
    const sts = object(
      'apps/v1',
      'StatefulSet',
      { replicas: 2 },
      { observedGeneration: 2, readyReplicas: 0 },
    );
    const pod = (name: string, status: Record<string, unknown>): LiveObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'ns' },
      status,
    });
    const owning = (...pods: LiveObject[]): OwnedObjects => ({ of: (kind) => (kind === 'Pod' ? pods : []) });
    expect(
      readinessOf(
        sts,
        owning(
          pod('db-0', {
            conditions: [
              condition(
                'PodScheduled',
                'False',
                'Unschedulable',
                '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.',
              ),
            ],
          }),
        ),
      ),
    ).toEqual({
      state: 'progressing',
      message:
        '0 of 2 replicas ready (pod db-0: Unschedulable: 0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.)',
    });
    expect(
      readinessOf(
        sts,
        owning(
          pod('db-0', {
            phase: 'Pending',
            containerStatuses: [
              {
                name: 'db',
                ready: false,
                state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "db:9"' } },
              },
            ],
          }),
        ),
      ),
    ).toEqual({
      state: 'failed',
      message: 'pod db-0: container db: ImagePullBackOff: Back-off pulling image "db:9"',
    });
  });
  test('a DaemonSet is ready when every scheduled pod is updated and available', () => {
    const ds = (status: object) =>
      object('apps/v1', 'DaemonSet', {}, { observedGeneration: 2, desiredNumberScheduled: 3, ...status });
    expect(readinessOf(ds({ updatedNumberScheduled: 3, numberAvailable: 3 })).state).toBe('ready');
    expect(readinessOf(ds({ updatedNumberScheduled: 3, numberAvailable: 1 })).message).toBe(
      '1 of 3 pods available',
    );
  });
  test('a ReplicaSet fails when it cannot create pods', () => {
    const rs = object(
      'apps/v1',
      'ReplicaSet',
      { replicas: 1 },
      {
        observedGeneration: 2,
        conditions: [condition('ReplicaFailure', 'True', 'FailedCreate', 'exceeded quota')],
      },
    );
    expect(readinessOf(rs)).toEqual({ state: 'failed', message: 'FailedCreate: exceeded quota' });
  });
});

describe('Job, CronJob, Pod', () => {
  test('a Job is ready when Complete, failed when Failed, progressing otherwise', () => {
    const job = (status: Record<string, unknown>) => object('batch/v1', 'Job', {}, status);
    expect(readinessOf(job({ conditions: [condition('Complete', 'True')] })).state).toBe('ready');
    expect(
      readinessOf(
        job({
          conditions: [
            condition(
              'Failed',
              'True',
              'BackoffLimitExceeded',
              'Job has reached the specified backoff limit',
            ),
          ],
        }),
      ),
    ).toEqual({
      state: 'failed',
      message: 'BackoffLimitExceeded: Job has reached the specified backoff limit',
    });
    expect(readinessOf(job({ active: 1 })).message).toBe('1 active, 0 succeeded');
  });
  test('a CronJob is ready once stored', () => {
    expect(readinessOf(object('batch/v1', 'CronJob', { schedule: '* * * * *' })).state).toBe('ready');
  });
  test('a Pod is ready when Ready or Succeeded, failed when Failed or stuck pulling its image', () => {
    const pod = (status: Record<string, unknown>) => object('v1', 'Pod', {}, status);
    expect(readinessOf(pod({ phase: 'Running', conditions: [condition('Ready', 'True')] })).state).toBe(
      'ready',
    );
    expect(readinessOf(pod({ phase: 'Succeeded' })).state).toBe('ready');
    expect(readinessOf(pod({ phase: 'Failed', reason: 'Evicted' })).message).toBe('Evicted');
    expect(
      readinessOf(
        pod({
          phase: 'Pending',
          containerStatuses: [
            {
              name: 'app',
              state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope"' } },
            },
          ],
        }),
      ),
    ).toEqual({ state: 'failed', message: 'container app: ImagePullBackOff: Back-off pulling image "nope"' });
    expect(readinessOf(pod({ phase: 'Pending' })).message).toBe('phase Pending');
  });

  test.each([
    'Error: container has runAsNonRoot and image will run as root (pod: "db-0_ns(uid)", container: db)',
    'Error: container has runAsNonRoot and image has non-numeric user (postgres), cannot verify user is non-root (pod: "db-0_ns(uid)", container: db)',
  ])("the kubelet's refusal of an image that runs as root comes with the fix: %s", (message) => {
    const waiting = { reason: 'CreateContainerConfigError', message };
    expect(
      readinessOf(
        object(
          'v1',
          'Pod',
          {},
          { phase: 'Pending', containerStatuses: [{ name: 'db', state: { waiting } }] },
        ),
      ),
    ).toEqual({
      state: 'failed',
      message: `container db: CreateContainerConfigError: ${message}; set runAsUser (and runAsGroup, fsGroup) on the workload to the image's own non-root user, 999 for the official postgres (70 for its alpine tags), mysql, mongo, redis and rabbitmq images (docs/apps.md: "Databases under restricted")`,
    });
  });
});

describe('Service, PersistentVolumeClaim, CustomResourceDefinition', () => {
  test('a LoadBalancer Service waits for its ingress; other Services are ready at once', () => {
    expect(readinessOf(object('v1', 'Service', { type: 'ClusterIP' })).state).toBe('ready');
    expect(readinessOf(object('v1', 'Service', { type: 'LoadBalancer' }, { loadBalancer: {} })).message).toBe(
      'waiting for the load balancer address',
    );
    expect(
      readinessOf(
        object(
          'v1',
          'Service',
          { type: 'LoadBalancer' },
          { loadBalancer: { ingress: [{ hostname: 'lb' }] } },
        ),
      ).state,
    ).toBe('ready');
  });
  test('a claim is ready when Bound and failed when Lost', () => {
    expect(readinessOf(object('v1', 'PersistentVolumeClaim', {}, { phase: 'Bound' })).state).toBe('ready');
    expect(readinessOf(object('v1', 'PersistentVolumeClaim', {}, { phase: 'Lost' })).state).toBe('failed');
    expect(readinessOf(object('v1', 'PersistentVolumeClaim', {}, { phase: 'Pending' })).message).toBe(
      'phase Pending',
    );
  });
  test('a CRD is ready when Established and failed when its names are not accepted', () => {
    const crd = (conditions: object[]) =>
      object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', {}, { conditions });
    expect(readinessOf(crd([condition('Established', 'True')])).state).toBe('ready');
    expect(
      readinessOf(crd([condition('NamesAccepted', 'False', 'MultipleNamesNotAllowed', 'x')])).state,
    ).toBe('failed');
    expect(readinessOf(crd([])).message).toBe('waiting to be Established');
  });
});

describe('Argo Rollout, as the plugin computes its status', () => {
  const named = (name: string, metadata: object = {}, rest: object = {}): LiveObject => ({
    apiVersion: 'v1',
    kind: 'Related',
    metadata: { name, namespace: 'ns', ...metadata },
    ...rest,
  });
  const related = (byKind: Record<string, LiveObject[]>): OwnedObjects => ({
    of: (kind) => byKind[kind] ?? [],
  });
  const analysisRun = (phase: string, value: string, message?: string) =>
    named(
      'x-b-2',
      { ownerReferences: [{ uid: 'rollout-uid' }], labels: { 'rollouts-pod-template-hash': 'b' } },
      {
        spec: { metrics: [{ name: 'error-rate', failureCondition: 'len(result) > 0 && result[0] > 0.05' }] },
        status: { phase, metricResults: [{ name: 'error-rate', phase, message, measurements: [{ value }] }] },
      },
    );
  const rollout = (status: object, spec: object = {}): LiveObject => {
    const live = object(
      'argoproj.io/v1alpha1',
      'Rollout',
      { replicas: 2, strategy: { canary: { steps: [] } }, ...spec },
      { observedGeneration: '2', ...status },
    );
    return { ...live, metadata: { ...live.metadata, uid: 'rollout-uid' } };
  };
  const healthy = {
    replicas: 2,
    updatedReplicas: 2,
    availableReplicas: 2,
    currentPodHash: 'b',
    stableRS: 'b',
  };
  test('Healthy when every replica is updated and available and the stable pods are the current ones', () => {
    expect(readinessOf(rollout(healthy))).toEqual({ state: 'ready', phase: 'Healthy', message: 'healthy' });
  });
  test('Progressing while the spec is unobserved, replicas update, old ones terminate, or steps remain', () => {
    expect(readinessOf(rollout({ ...healthy, observedGeneration: '1' })).message).toBe(
      'waiting for rollout spec update to be observed',
    );
    expect(readinessOf(rollout({ ...healthy, updatedReplicas: 1 })).message).toBe(
      'more replicas need to be updated',
    );
    expect(readinessOf(rollout({ ...healthy, availableReplicas: 1 })).message).toBe(
      'updated replicas are still becoming available',
    );
    expect(readinessOf(rollout({ ...healthy, replicas: 3 })).message).toBe(
      'old replicas are pending termination',
    );
    expect(readinessOf(rollout({ ...healthy, stableRS: 'a' }))).toEqual({
      state: 'progressing',
      phase: 'Progressing',
      message: 'waiting for all steps to complete',
    });
  });
  test('Paused by hand or by a pause step', () => {
    expect(readinessOf(rollout(healthy, { paused: true })).message).toBe('manually paused');
    expect(readinessOf(rollout({ ...healthy, pauseConditions: [{ reason: 'CanaryPauseStep' }] }))).toEqual({
      state: 'progressing',
      phase: 'Paused',
      message: 'CanaryPauseStep',
    });
  });
  test('Degraded when aborted, past its progress deadline, or invalid', () => {
    for (const c of [
      condition('Progressing', 'False', 'RolloutAborted', 'Rollout aborted update to revision 2'),
      condition('Progressing', 'False', 'ProgressDeadlineExceeded', 'timed out'),
      condition('InvalidSpec', 'True', 'InvalidSpec', 'bad'),
    ]) {
      expect(readinessOf(rollout({ ...healthy, conditions: [c] }))).toMatchObject({
        state: 'failed',
        phase: 'Degraded',
      });
    }
  });
  test("with a workloadRef, Progressing until the controller has seen the Deployment's generation (a pod template change leaves the Rollout's own as it was)", () => {
    const spec = { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } };
    const store = related({ Deployment: [named('web', { generation: 3 })] });
    expect(readinessOf(rollout({ ...healthy, workloadObservedGeneration: '2' }, spec), store)).toEqual({
      state: 'progressing',
      phase: 'Progressing',
      message: 'waiting for the controller to observe Deployment web generation 3',
    });
    expect(readinessOf(rollout({ ...healthy, workloadObservedGeneration: '3' }, spec), store).phase).toBe(
      'Healthy',
    );
  });
  test('the current step and the running AnalysisRun with its measured value and limit are shown', () => {
    const spec = { strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }] } } };
    const store = related({ AnalysisRun: [analysisRun('Running', '[0.01]')] });
    expect(
      readinessOf(
        rollout(
          {
            ...healthy,
            stableRS: 'a',
            currentStepIndex: 1,
            pauseConditions: [{ reason: 'CanaryPauseStep' }],
          },
          spec,
        ),
        store,
      ),
    ).toEqual({
      state: 'progressing',
      phase: 'Paused',
      message:
        'CanaryPauseStep; step 2 of 3; AnalysisRun x-b-2 Running: error-rate = [0.01] (limit: result[0] > 0.05)',
    });
  });
  test('an abort names the failed AnalysisRun, its metric, value and limit', () => {
    const store = related({
      AnalysisRun: [analysisRun('Failed', '[0.5]', 'Metric "error-rate" assessed Failed')],
    });
    const aborted = condition(
      'Progressing',
      'False',
      'RolloutAborted',
      'Rollout aborted update to revision 2',
    );
    expect(readinessOf(rollout({ ...healthy, conditions: [aborted] }), store)).toEqual({
      state: 'failed',
      phase: 'Degraded',
      message:
        'RolloutAborted: Rollout aborted update to revision 2; AnalysisRun x-b-2 Failed: error-rate = [0.5] (limit: result[0] > 0.05): Metric "error-rate" assessed Failed',
    });
  });
  test('an InvalidSpec older than a change to its AnalysisTemplate is stale: Progressing until validated again', () => {
    const spec = { strategy: { canary: { steps: [], analysis: { templates: [{ templateName: 't' }] } } } };
    const invalid = {
      ...condition(
        'InvalidSpec',
        'True',
        'InvalidSpec',
        'AnalysisTemplate t has metric m which runs indefinitely',
      ),
      lastUpdateTime: new Date(Date.now() - 20_000).toISOString(),
    };
    const template = (ago: number) =>
      related({
        AnalysisTemplate: [
          named('t', { managedFields: [{ time: new Date(Date.now() - ago).toISOString() }] }),
        ],
      });
    expect(readinessOf(rollout({ ...healthy, conditions: [invalid] }, spec), template(5_000))).toEqual({
      state: 'progressing',
      phase: 'Progressing',
      message: 'waiting for the controller to validate AnalysisTemplate t again',
    });
    expect(readinessOf(rollout({ ...healthy, conditions: [invalid] }, spec), template(60_000))).toEqual({
      state: 'failed',
      phase: 'Degraded',
      message: 'InvalidSpec: AnalysisTemplate t has metric m which runs indefinitely',
    });
  });
  test('unobserved past the grace period: no Argo Rollouts controller is running, judged again when the grace ends', () => {
    const written = (ago: number, labels: Record<string, string> = {}): LiveObject => {
      const live = rollout({ observedGeneration: '1' });
      const time = new Date(Date.now() - ago).toISOString();
      return {
        ...live,
        metadata: {
          ...live.metadata,
          labels,
          creationTimestamp: '2026-01-01T00:00:00Z',
          managedFields: [{ manager: 'cdk8s-devops', operation: 'Apply', time }],
        },
      };
    };
    const fresh = readinessOf(written(10_000));
    expect(fresh.message).toBe('waiting for rollout spec update to be observed');
    expect(fresh.recheckAfterMs).toBeGreaterThan(19_000);
    expect(fresh.recheckAfterMs).toBeLessThanOrEqual(20_000);
    expect(readinessOf(written(45_000))).toEqual({
      state: 'failed',
      message:
        'no Argo Rollouts controller is running: generation 2 was written 45 s ago and the controller has seen only generation 1; install or start the controller (https://argo-rollouts.readthedocs.io/en/stable/installation/)',
    });
    expect(
      readinessOf(written(45_000, { 'argo-rollouts.argoproj.io/controller-instance-id': 'blue' })).message,
    ).toMatch(
      /^no Argo Rollouts controller of instance blue \(label argo-rollouts.argoproj.io\/controller-instance-id\) is running: /,
    );
  });

  test('Degraded when the current ReplicaSet cannot create pods, or one of its pods cannot start', () => {
    const replicaSet = (conditions: object[] = []) =>
      named(
        'x-b',
        {
          uid: 'rs-uid',
          ownerReferences: [{ uid: 'rollout-uid' }],
          labels: { 'rollouts-pod-template-hash': 'b' },
        },
        { status: { conditions } },
      );
    const updating = rollout({ ...healthy, updatedReplicas: 0, availableReplicas: 0 });
    expect(
      readinessOf(
        updating,
        related({
          ReplicaSet: [
            replicaSet([condition('ReplicaFailure', 'True', 'FailedCreate', 'pods "x-b-1" is forbidden')]),
          ],
        }),
      ),
    ).toEqual({
      state: 'failed',
      phase: 'Degraded',
      message: 'ReplicaSet x-b: FailedCreate: pods "x-b-1" is forbidden',
    });
    const pod = named(
      'x-b-1',
      { ownerReferences: [{ uid: 'rs-uid' }] },
      {
        status: { containerStatuses: [{ name: 'app', state: { waiting: { reason: 'ImagePullBackOff' } } }] },
      },
    );
    expect(readinessOf(updating, related({ ReplicaSet: [replicaSet()], Pod: [pod] }))).toEqual({
      state: 'failed',
      phase: 'Degraded',
      message: 'pod x-b-1: container app: ImagePullBackOff',
    });
    // A ReplicaSet of another pod template (an old one going away) is no reason.
    expect(
      readinessOf(
        rollout({ ...healthy, currentPodHash: 'c', stableRS: 'c' }),
        related({ ReplicaSet: [replicaSet([condition('ReplicaFailure', 'True', 'FailedCreate', 'no')])] }),
      ).phase,
    ).toBe('Healthy');
  });

  test('blue-green waits for the active service cutover', () => {
    const spec = { strategy: { blueGreen: { activeService: 'a' } } };
    expect(readinessOf(rollout({ ...healthy, blueGreen: { activeSelector: 'a' } }, spec)).message).toBe(
      'active service cutover pending',
    );
    expect(readinessOf(rollout({ ...healthy, blueGreen: { activeSelector: 'b' } }, spec)).phase).toBe(
      'Healthy',
    );
  });
});

describe('Tekton runs and everything else', () => {
  test.each(['PipelineRun', 'TaskRun'])('a %s follows its Succeeded condition', (kind) => {
    const run = (status: string, reason: string) =>
      object('tekton.dev/v1', kind, {}, { conditions: [condition('Succeeded', status, reason)] });
    expect(readinessOf(run('True', 'Succeeded')).state).toBe('ready');
    expect(readinessOf(run('False', 'PipelineRunTimeout'))).toEqual({
      state: 'failed',
      message: 'PipelineRunTimeout',
    });
    expect(readinessOf(run('Unknown', 'Running'))).toEqual({ state: 'progressing', message: 'Running' });
  });
  test('any other kind follows its Ready condition, or is ready without one', () => {
    const other = (conditions?: object[]) =>
      object('monitoring.coreos.com/v1', 'Prometheus', {}, conditions && { conditions });
    expect(readinessOf(other())).toEqual({ state: 'ready', message: 'ready' });
    expect(readinessOf(other([condition('Ready', 'False', 'Reconciling')]))).toEqual({
      state: 'progressing',
      message: 'Reconciling',
    });
    expect(readinessOf(other([condition('Stalled', 'True', 'Error', 'bad config')]))).toEqual({
      state: 'failed',
      message: 'Error: bad config',
    });
    expect(DEFAULT_READINESS.checkerFor('example.com/v1', 'Widget')).toBe(
      DEFAULT_READINESS.checkerFor('monitoring.coreos.com/v1', 'Prometheus'),
    );
  });
});

describe('a workload under a HorizontalPodAutoscaler', () => {
  // Shaped as the real controllers leave them (rollouts-autoscaled.test.ts): the workload at 1 replica
  // before the HPA controller's first sync, with no HPA status yet; later the HPA's desiredReplicas.
  const hpa = (target: string, kind: string, status?: Record<string, unknown>): LiveObject => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: target, namespace: 'ns' },
    spec: {
      scaleTargetRef: {
        apiVersion: kind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1',
        kind,
        name: 'x',
      },
      minReplicas: 3,
      maxReplicas: 5,
    },
    status,
  });
  const withHpa = (...hpas: LiveObject[]): OwnedObjects => ({
    of: (kind) => (kind === 'HorizontalPodAutoscaler' ? hpas : []),
  });
  const at = (available: number) => ({
    replicas: available,
    updatedReplicas: available,
    availableReplicas: available,
  });
  const rollout = (available: number) =>
    object(
      'argoproj.io/v1alpha1',
      'Rollout',
      { strategy: { canary: { steps: [] } } },
      { observedGeneration: '2', ...at(available), currentPodHash: 'b', stableRS: 'b' },
    );
  const deployment = (available: number) =>
    object('apps/v1', 'Deployment', { replicas: 1 }, { observedGeneration: 2, ...at(available) });

  test('a Rollout without spec.replicas is Progressing until the minReplicas of its HPA are available', () => {
    expect(readinessOf(rollout(1), withHpa(hpa('web', 'Rollout')))).toEqual({
      state: 'progressing',
      phase: 'Progressing',
      message: 'HorizontalPodAutoscaler web wants 3 replicas, 1 available',
    });
    expect(readinessOf(rollout(3), withHpa(hpa('web', 'Rollout'))).phase).toBe('Healthy');
  });
  test("a Deployment is progressing while its HPA's desiredReplicas are not available", () => {
    expect(readinessOf(deployment(3), withHpa(hpa('web', 'Deployment', { desiredReplicas: 4 })))).toEqual({
      state: 'progressing',
      message: 'HorizontalPodAutoscaler web wants 4 replicas, 3 available',
    });
    expect(readinessOf(deployment(4), withHpa(hpa('web', 'Deployment', { desiredReplicas: 4 }))).state).toBe(
      'ready',
    );
  });
  test('an HPA of another workload, or a target scaled to 0 (scaling disabled), holds nothing back', () => {
    expect(readinessOf(deployment(1), withHpa(hpa('web', 'Rollout'))).state).toBe('ready');
    const zero = object('apps/v1', 'Deployment', { replicas: 0 }, { observedGeneration: 2 });
    expect(readinessOf(zero, withHpa(hpa('web', 'Deployment'))).state).toBe('ready');
  });
});
