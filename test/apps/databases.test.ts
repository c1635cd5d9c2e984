/**
 * Databases under Pod Security "restricted": defaults that fit a StatefulService, the image's user
 * through props, and a claim template seeded by an init container.
 */
import { Size } from 'cdk8s';
import { PodVolume } from '../../lib/apps/pod-volume.js';
import { StatefulService } from '../../lib/apps/stateful-service.js';
import { WebService } from '../../lib/apps/web-service.js';
import { Worker } from '../../lib/apps/worker.js';
import { checkPolicies } from '../../lib/security/policy.js';
import { one, podSpec, synth, testChart, testStack } from '../util/synth.js';

describe('defaults per workload kind', () => {
  test('a StatefulService requests 250m and 512Mi and is limited to 1 CPU and 1Gi; a WebService and a Worker keep 500m and 256Mi', () => {
    const chart = testChart();
    new StatefulService(chart, 'db', { image: 'postgres:16.4', port: 5432, runAsUser: 999 });
    new WebService(chart, 'web', { image: 'ghcr.io/acme/web:1.0.0' });
    new Worker(chart, 'worker', { image: 'ghcr.io/acme/worker:1.0.0' });
    const objects = synth(chart);
    expect(podSpec(one(objects, 'StatefulSet')).containers[0].resources).toEqual({
      limits: { cpu: '1', memory: '1024Mi' },
      requests: { cpu: '250m', memory: '512Mi' },
    });
    const small = { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } };
    expect(podSpec(one(objects, 'Deployment', 'web')).containers[0].resources).toEqual(small);
    expect(podSpec(one(objects, 'Deployment', 'worker')).containers[0].resources).toEqual(small);
  });
});

describe("the image's user", () => {
  test('runAsUser, runAsGroup and fsGroup are written on the pod (and the user on the container)', () => {
    const chart = testChart();
    new StatefulService(chart, 'mongo', {
      image: 'mongo:7.0.14',
      port: 27017,
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
    });
    const pod = podSpec(one(synth(chart), 'StatefulSet'));
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
    });
    expect(pod.containers[0].securityContext.runAsUser).toBe(999);
  });
});

describe('a claim seeded by an init container', () => {
  const seeded = () => {
    const stack = testStack();
    new StatefulService(stack, 'db', {
      image: 'postgres:16.4',
      port: 5432,
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
      writableTmp: true,
      mounts: [{ path: '/var/run/postgresql', volume: PodVolume.emptyDir('run') }],
      initContainers: [
        {
          name: 'seed',
          image: 'ghcr.io/acme/db-seed:1.0.0',
          command: ['sh', '-c', 'test -e /seed/PG_VERSION || cp -a /snapshot/. /seed/'],
        },
      ],
      volumeClaims: [
        {
          name: 'data',
          mountPath: '/var/lib/postgresql/data',
          storage: Size.gibibytes(5),
          containerMounts: [{ container: 'seed', path: '/seed' }],
        },
      ],
    });
    return stack;
  };

  test('the init container mounts the claim template, which stays out of the pod volumes', () => {
    const stack = seeded();
    const set = one(synth(stack), 'StatefulSet');
    const pod = podSpec(set);
    expect(pod.initContainers[0].volumeMounts).toEqual([{ mountPath: '/seed', name: 'data' }]);
    expect(pod.containers[0].volumeMounts).toContainEqual({
      mountPath: '/var/lib/postgresql/data',
      name: 'data',
    });
    expect(pod.volumes.map((v: { name: string }) => v.name)).not.toContain('data');
    expect(set.spec.volumeClaimTemplates.map((c: { metadata: { name: string } }) => c.metadata.name)).toEqual(
      ['data'],
    );
    expect(checkPolicies(stack)).toEqual([]);
  });

  test('a container that is no init container or sidecar is refused, naming the ones there are', () => {
    const build = (container: string) => () =>
      new StatefulService(testChart(), 'db', {
        image: 'postgres:16.4',
        port: 5432,
        initContainers: [{ name: 'seed', image: 'ghcr.io/acme/db-seed:1.0.0' }],
        volumeClaims: [
          { name: 'data', mountPath: '/data', storage: Size.gibibytes(1), containerMounts: [{ container }] },
        ],
      });
    expect(build('seeder')).toThrow(
      new Error(
        'test/db: volumeClaims[0].containerMounts[0] names container "seeder", which is no init container or sidecar of the workload (they are: "seed"). Name one of them, given in the initContainers or sidecars prop',
      ),
    );
    expect(build('db')).toThrow(
      new Error(
        'test/db: volumeClaims[0].containerMounts[0] names container "db", which is no init container or sidecar of the workload (they are: "seed"). Leave the app container out: it mounts the claim at mountPath already',
      ),
    );
  });
});
