/** The readiness registry: the generation check run once, ordered conditions, owned objects, users' own checkers. */
import { OwnedIndex } from '../../client/wait/owned-objects.js';
import type { LiveObject, ReadinessChecker } from '../../client/index.js';
import { DEFAULT_READINESS, progressing, ReadinessRegistry } from '../../client/index.js';

let uid = 0;
const live = (
  kind: string,
  status: object,
  extra: { owner?: LiveObject; annotations?: object; spec?: object } = {},
) =>
  ({
    apiVersion: kind === 'Pod' ? 'v1' : 'apps/v1',
    kind,
    metadata: {
      name: `${kind.toLowerCase()}-${++uid}`,
      namespace: 'ns',
      uid: `uid-${uid}`,
      generation: 1,
      annotations: extra.annotations,
      ownerReferences: extra.owner
        ? [
            {
              apiVersion: 'apps/v1',
              kind: extra.owner.kind,
              name: extra.owner.metadata.name,
              uid: extra.owner.metadata.uid,
            },
          ]
        : undefined,
    },
    spec: extra.spec ?? { replicas: 1 },
    status: { observedGeneration: 1, ...status },
  }) as LiveObject;

describe('a registry users add to', () => {
  const widget = (status: Record<string, unknown>, generation = 3): LiveObject => ({
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', generation },
    status,
  });
  const checker: ReadinessChecker = {
    conditions: [
      (w) =>
        (w.status as { phase?: string }).phase === 'Broken'
          ? { state: 'failed', message: 'broken' }
          : undefined,
      (w) => ((w.status as { phase?: string }).phase !== 'Done' ? progressing('not done yet') : undefined),
    ],
  };
  const registry = ReadinessRegistry.withBuiltIns().register('example.com/v1', 'Widget', checker);

  test('the registry checks the observed generation before the checker runs', () => {
    expect(registry.readinessOf(widget({ observedGeneration: 2, phase: 'Broken' }))).toEqual({
      state: 'progressing',
      message: 'waiting for the controller to observe generation 3 (it has seen 2)',
    });
    expect(registry.readinessOf(widget({ phase: 'Done' }))).toEqual({
      state: 'progressing',
      message: 'waiting for the controller to observe it',
    });
  });

  test('conditions run in order, the first that decides wins, and passing them all is ready', () => {
    expect(registry.readinessOf(widget({ observedGeneration: 3, phase: 'Broken' })).message).toBe('broken');
    expect(registry.readinessOf(widget({ observedGeneration: 3, phase: 'Working' })).message).toBe(
      'not done yet',
    );
    expect(registry.readinessOf(widget({ observedGeneration: 3, phase: 'Done' })).state).toBe('ready');
  });

  test('the default registry is left as it was', () => {
    expect(DEFAULT_READINESS.readinessOf(widget({ phase: 'Broken' })).state).toBe('ready');
  });
});

describe('checkers see the objects their object owns', () => {
  const deploymentWith = (setup: (deployment: LiveObject) => LiveObject[]) => {
    const deployment = live(
      'Deployment',
      { replicas: 1, updatedReplicas: 1, availableReplicas: 0 },
      { annotations: { 'deployment.kubernetes.io/revision': '2' } },
    );
    const index = new OwnedIndex();
    setup(deployment).forEach((o) => index.put(o));
    return DEFAULT_READINESS.readinessOf(deployment, index.ownedBy(deployment.metadata.uid as string));
  };

  test('a Deployment fails fast when its current ReplicaSet cannot create pods (PodSecurity)', () => {
    const readiness = deploymentWith((d) => {
      const rs = live(
        'ReplicaSet',
        {
          conditions: [
            {
              type: 'ReplicaFailure',
              status: 'True',
              reason: 'FailedCreate',
              message: 'pods "web-1" is forbidden: violates PodSecurity "restricted:latest"',
            },
          ],
        },
        { owner: d, annotations: { 'deployment.kubernetes.io/revision': '2' } },
      );
      return [rs];
    });
    expect(readiness).toEqual({
      state: 'failed',
      message: expect.stringMatching(
        /^ReplicaSet replicaset-\d+: FailedCreate: pods "web-1" is forbidden: violates PodSecurity "restricted:latest"$/,
      ),
    });
  });

  test('a Deployment fails fast when a pod of its current ReplicaSet cannot pull its image, not of an old one', () => {
    const stuck = {
      containerStatuses: [
        {
          name: 'app',
          state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope:1"' } },
        },
      ],
    };
    const current = deploymentWith((d) => {
      const rs = live(
        'ReplicaSet',
        {},
        { owner: d, annotations: { 'deployment.kubernetes.io/revision': '2' } },
      );
      return [rs, live('Pod', stuck, { owner: rs })];
    });
    expect(current).toEqual({
      state: 'failed',
      message: expect.stringMatching(
        /^pod pod-\d+: container app: ImagePullBackOff: Back-off pulling image "nope:1"$/,
      ),
    });
    const old = deploymentWith((d) => {
      const rs = live(
        'ReplicaSet',
        {},
        { owner: d, annotations: { 'deployment.kubernetes.io/revision': '1' } },
      );
      return [rs, live('Pod', stuck, { owner: rs })];
    });
    expect(old).toEqual({ state: 'progressing', message: '0 of 1 updated replicas available' });
  });

  test('an unschedulable pod is named in the progress message', () => {
    const readiness = deploymentWith((d) => {
      const rs = live(
        'ReplicaSet',
        {},
        { owner: d, annotations: { 'deployment.kubernetes.io/revision': '2' } },
      );
      const pod = live(
        'Pod',
        {
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: '0/3 nodes are available',
            },
          ],
        },
        { owner: rs },
      );
      return [rs, pod];
    });
    expect(readiness.state).toBe('progressing');
    expect(readiness.message).toMatch(
      /^0 of 1 updated replicas available \(pod pod-\d+: Unschedulable: 0\/3 nodes are available\)$/,
    );
  });

  test('a change to a pod finds the objects above it', () => {
    const index = new OwnedIndex();
    const deployment = live('Deployment', {});
    const rs = live('ReplicaSet', {}, { owner: deployment });
    const pod = live('Pod', {}, { owner: rs });
    index.put(rs);
    index.put(pod);
    expect(index.ancestorsOf(pod)).toEqual([rs.metadata.uid, deployment.metadata.uid]);
    index.remove(pod);
    expect(index.ownedBy(deployment.metadata.uid as string).of('Pod')).toEqual([]);
  });
});
