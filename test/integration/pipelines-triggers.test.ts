/**
 * The shop's GitHub push trigger with the real Tekton Triggers controller, core interceptors and
 * EventListener sink (run as the EventListener's own ServiceAccount), and the real Pipelines controller.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppsV1Api, AuthorizationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { toYaml } from '../util/yaml.js';
import type { EventListenerSink } from '../cluster/tekton.js';
import { startEventListenerSink } from '../cluster/tekton.js';
import { describeCluster, eventually, testKubeConfig } from './cluster.js';
import { applyRelease, COMMIT, synthShopRelease } from './pipelines-shop.js';

const WEBHOOK_SECRET = 'a shared secret of the webhook';

/** A kubeconfig that authenticates as `serviceAccount` with a token from the TokenRequest API. */
async function serviceAccountKubeconfig(namespace: string, serviceAccount: string): Promise<string> {
  const kc = testKubeConfig();
  const token = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    namespace,
    name: serviceAccount,
    // The API server's own audience (its --service-account-issuer).
    body: { spec: { expirationSeconds: 3600, audiences: ['https://kubernetes.default.svc.cluster.local'] } },
  });
  const cluster = kc.getCurrentCluster()!;
  const file = join(await mkdtemp(join(tmpdir(), 'sa-kubeconfig-')), 'kubeconfig');
  await writeFile(
    file,
    toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'test', cluster: { server: cluster.server, 'certificate-authority-data': cluster.caData } },
      ],
      users: [{ name: serviceAccount, user: { token: token.status!.token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: serviceAccount, namespace } }],
      'current-context': 'test',
    }),
    { mode: 0o600 },
  );
  return file;
}

function push(branch: string, after: string) {
  return JSON.stringify({
    ref: `refs/heads/${branch}`,
    after,
    repository: { clone_url: 'https://github.com/cdk8s-devops/shop.git' },
  });
}

async function send(sink: EventListenerSink, body: string, signed: boolean) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-GitHub-Event': 'push' };
  if (signed) {
    headers['X-Hub-Signature-256'] =
      `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;
  }
  const response = await fetch(sink.url, { method: 'POST', headers, body });
  return { status: response.status, body: await response.text() };
}

async function pipelineRuns(namespace: string) {
  const list = (await testKubeConfig().makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
    group: 'tekton.dev',
    version: 'v1',
    namespace,
    plural: 'pipelineruns',
  })) as {
    items: {
      metadata: { name: string; annotations?: Record<string, string> };
      spec: { params: { name: string; value: string }[] };
    }[];
  };
  return list.items;
}

describeCluster('the shop GitHub push trigger on the real Tekton Triggers', () => {
  let release: ReturnType<typeof synthShopRelease>;
  let sink: EventListenerSink;

  beforeAll(async () => {
    release = synthShopRelease();
    await applyRelease(release, { withRun: false });
    await testKubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespacedSecret({
        namespace: release.namespace,
        body: { metadata: { name: 'shop-webhook' }, stringData: { secret: WEBHOOK_SECRET } },
      });
    sink = await startEventListenerSink({
      kubeconfig: await serviceAccountKubeconfig(release.namespace, 'shop-push-listener'),
      name: 'shop-push',
      namespace: release.namespace,
    });
  });

  afterAll(async () => {
    await sink?.stop();
  });

  test('a signed push to main creates a PipelineRun of that commit; unsigned pushes and pushes to other branches create none', async () => {
    const unsigned = await send(sink, push('main', 'aaaa'), false);
    expect(unsigned.status).toBe(202);
    const otherBranch = await send(sink, push('feature/x', 'bbbb'), true);
    expect(otherBranch.status).toBe(202);
    const signed = await send(sink, push('main', COMMIT), true);
    expect(signed.status).toBe(202);
    const runs = await eventually('a PipelineRun from the push', async () => {
      const items = await pipelineRuns(release.namespace);
      return items.length > 0 ? items : undefined;
    });
    // Give the two refused events time to have created a run, had they been accepted.
    await sleep(3000);
    const all = await pipelineRuns(release.namespace);
    expect(all).toHaveLength(1);
    expect(runs[0].metadata.name).toMatch(/^shop-release-\w{5}$/);
    expect(runs[0].spec.params).toEqual([{ name: 'revision', value: COMMIT }]);
    expect(runs[0].metadata.annotations?.['cdk8s-devops.io/revision']).toBe(COMMIT);
    // Only the signed push to main got past the interceptors to the binding.
    expect(sink.log().match(/ResolvedParams/g)).toHaveLength(1);
  });

  test('the Triggers controller reconciles the EventListener into its Deployment', async () => {
    const apps = testKubeConfig().makeApiClient(AppsV1Api);
    const deployment = await eventually(
      'the Deployment el-shop-push',
      () =>
        apps
          .readNamespacedDeployment({ name: 'el-shop-push', namespace: release.namespace })
          .catch(() => undefined),
      30_000,
    );
    expect(deployment.spec?.template.spec?.containers[0].ports?.map((p) => p.containerPort)).toContain(9000);
  });

  test("the EventListener's ServiceAccount can do what the sink needs, and nothing more", async () => {
    const authz = testKubeConfig().makeApiClient(AuthorizationV1Api);
    const can = async (verb: string, group: string, resource: string, namespace?: string) => {
      const review = await authz.createSubjectAccessReview({
        body: {
          spec: {
            user: `system:serviceaccount:${release.namespace}:shop-push-listener`,
            groups: [
              'system:serviceaccounts',
              `system:serviceaccounts:${release.namespace}`,
              'system:authenticated',
            ],
            resourceAttributes: { verb, group, resource, namespace },
          },
        },
      });
      return review.status!.allowed;
    };
    const ns = release.namespace;
    expect(await can('create', 'tekton.dev', 'pipelineruns', ns)).toBe(true);
    expect(await can('watch', 'triggers.tekton.dev', 'eventlisteners', ns)).toBe(true);
    expect(await can('list', 'triggers.tekton.dev', 'clusterinterceptors')).toBe(true);
    expect(await can('delete', 'tekton.dev', 'pipelineruns', ns)).toBe(false);
    expect(await can('create', 'tekton.dev', 'taskruns', ns)).toBe(false);
    expect(await can('create', '', 'pods', ns)).toBe(false);
    expect(await can('get', '', 'secrets', ns)).toBe(false);
    expect(await can('create', 'tekton.dev', 'pipelineruns', 'default')).toBe(false);
    expect(await can('update', 'triggers.tekton.dev', 'eventlisteners', ns)).toBe(false);
  });
});
