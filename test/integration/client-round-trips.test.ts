/**
 * What a command pays once, whatever the app's size: the requests to the release's own namespace (its
 * lock, ApplySet parent and revisions), which go one after the other. Each is a round trip to a cluster
 * that may be 25 ms away; none is sent twice, and none only to find out what the next one would say.
 */
import { ApiClient } from '../../client/transport/api-client.js';
import type { ApiRequest } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { hasChanges, Release } from '../../client/index.js';
import { createNamespace, describeCluster, testKubeConfig } from './cluster.js';
import { configMap } from './client-cli.js';

/** Runs `work`, answering with the requests it sent to namespace `home`, in the order they were sent. */
async function requestsTo(home: string, work: () => Promise<unknown>): Promise<string[]> {
  const sent: ApiRequest[] = [];
  const request = Object.getOwnPropertyDescriptor(ApiClient.prototype, 'request')!;
  // Every client's requests pass through to the server as they are; only their paths are noted.
  Object.defineProperty(ApiClient.prototype, 'request', {
    ...request,
    value: function (this: ApiClient, req: ApiRequest) {
      sent.push(req);
      return (request.value as ApiClient['request']).call(this, req);
    },
  });
  try {
    await work();
  } finally {
    Object.defineProperty(ApiClient.prototype, 'request', request);
  }
  return sent
    .filter((req) => req.path.includes(`/namespaces/${home}`))
    .map((req) => `${req.method ?? 'GET'} ${req.path.replace(`/namespaces/${home}`, '/namespaces/home')}`);
}

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/home/leases';
const SECRETS = '/api/v1/namespaces/home/secrets';
/**
 * From the history's list to the revision: the parent's superset, the lock checked before the prune, the
 * parent's new scope, the lock checked before recording, the revision and the list once it is stored.
 */
const APPLIED_AND_RECORDED = [
  `PATCH ${SECRETS}/app`,
  `GET ${LEASES}/app.lock`,
  `PATCH ${SECRETS}/app`,
  `GET ${LEASES}/app.lock`,
  `POST ${SECRETS}`,
  `GET ${SECRETS}`,
];

describeCluster("a command's requests in series", () => {
  test('first apply, unchanged re-apply and a change: the lock, the parent and history cost one request each', async () => {
    const namespace = await createNamespace('round-trips');
    const home = `${namespace}-home`;
    const connect = () => Release.connect({ kubeConfig: testKubeConfig(), name: 'app', namespace: home });
    const manifests = (value: string): Manifest[] => [configMap(namespace, 'settings', { value })];

    // The release's namespace does not exist: the lock's 404 creates it.
    const first = await requestsTo(home, () => connect().deploy(manifests('1')));
    expect(first).toEqual([
      `POST ${LEASES}`,
      'PATCH /api/v1/namespaces/home',
      `POST ${LEASES}`,
      `GET ${SECRETS}/app`,
      `GET ${SECRETS}`,
      ...APPLIED_AND_RECORDED,
      `DELETE ${LEASES}/app.lock`,
    ]);

    // As `apply` does when nothing changed: the change set, then history checked against it.
    const unchanged = await requestsTo(home, async () => {
      const release = connect();
      await release.locked('apply', async () => {
        const changeSet = await release.changeSet(manifests('1'));
        expect(hasChanges(changeSet)).toBe(false);
        expect(await release.recordUnrecorded(changeSet)).toBeUndefined();
      });
    });
    expect(unchanged).toEqual([
      `POST ${LEASES}`,
      `GET ${SECRETS}/app`,
      'GET /api/v1/namespaces/home/configmaps',
      `GET ${SECRETS}`,
      `DELETE ${LEASES}/app.lock`,
    ]);

    // Recording revision 2 supersedes revision 1, from the list read once it was stored.
    const changed = await requestsTo(home, () => connect().deploy(manifests('2')));
    expect(changed).toEqual([
      `POST ${LEASES}`,
      `GET ${SECRETS}/app`,
      'GET /api/v1/namespaces/home/configmaps',
      `GET ${SECRETS}`,
      ...APPLIED_AND_RECORDED,
      `GET ${SECRETS}/app.v1`,
      `PATCH ${SECRETS}/app.v1`,
      `DELETE ${LEASES}/app.lock`,
    ]);
    expect((await connect().history.list()).map((r) => [r.number, r.status])).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
    ]);
  });

  test('a lock held by another command is still refused, and released by its holder alone', async () => {
    const namespace = await createNamespace('round-trips-held');
    const connect = () => Release.connect({ kubeConfig: testKubeConfig(), name: 'app', namespace });
    const holder = connect();
    await holder.locked('apply', async () => {
      await expect(connect().deploy([configMap(namespace, 'x', { value: '1' })])).rejects.toThrow(
        /^another apply of app by .+ since \d\d:\d\d:\d\d is in progress; wait for it, or, if it is no longer running, break its lock with `cdk8s-devops unlock --applyset app -n round-trips-held-[0-9a-f]+`/,
      );
    });
    // Released: the next command takes it at once.
    const result = await connect().deploy([configMap(namespace, 'x', { value: '1' })]);
    expect(result.revision?.number).toBe(1);
  });
});
