import { ApiObject, Chart, Duration } from 'cdk8s';
import { Environment, GitOps } from '../../lib/gitops/index.js';
import { ARGO_CD_IGNORE_DIFFERENCES, FLUX_HEALTH_CHECK_EXPRS } from '../../lib/gitops/engine-fields.js';
import type { Obj } from '../util/synth.js';
import { testApp } from '../util/synth.js';

const ENVIRONMENTS = [
  new Environment({ name: 'dev', folder: 'dist/dev', applySet: 'shop-dev', namespace: 'shop-dev' }),
  new Environment({ name: 'prod', folder: 'dist/prod', applySet: 'shop-prod' }),
];

function objectsOf(gitops: GitOps): Obj[] {
  const app = testApp();
  gitops.bind(app, ENVIRONMENTS);
  return app.charts.flatMap((chart) => chart.toJson() as Obj[]);
}

test('Argo CD: an Application per environment that syncs its folder, pruning never on an empty one', () => {
  const objects = objectsOf(GitOps.argoCd({ repoURL: 'https://git.example.com/shop.git' }));
  expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
    'Application/argocd/shop-dev',
    'Application/argocd/shop-prod',
  ]);
  expect(objects[0].spec).toEqual({
    project: 'default',
    source: { repoURL: 'https://git.example.com/shop.git', targetRevision: 'HEAD', path: 'dist/dev' },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'shop-dev' },
    syncPolicy: {
      automated: { prune: true, selfHeal: true, allowEmpty: false },
      syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'],
    },
    ignoreDifferences: ARGO_CD_IGNORE_DIFFERENCES,
  });
  expect(objects[1].spec.destination).toEqual({ server: 'https://kubernetes.default.svc' });
});

test('Argo CD: one ApplicationSet with a list generator, and manual syncs on request', () => {
  const [set] = objectsOf(
    GitOps.argoCd({ repoURL: 'https://git.example.com/shop.git', applicationSet: true, automated: false }),
  );
  expect(set.kind).toBe('ApplicationSet');
  expect(set.metadata.name).toBe('shop');
  expect(set.spec.generators).toEqual([
    {
      list: {
        elements: [
          { name: 'shop-dev', path: 'dist/dev', namespace: 'shop-dev' },
          { name: 'shop-prod', path: 'dist/prod', namespace: '' },
        ],
      },
    },
  ]);
  expect(set.spec.template.metadata).toEqual({ name: '{{.name}}' });
  expect(set.spec.template.spec.source.path).toBe('{{.path}}');
  expect(set.spec.template.spec.syncPolicy).toEqual({
    syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'],
  });
});

test('Flux: a GitRepository and a Kustomization per environment folder', () => {
  const objects = objectsOf(
    GitOps.flux({
      url: 'https://git.example.com/shop.git',
      branch: 'release',
      interval: Duration.seconds(90),
    }),
  );
  expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
    'GitRepository/flux-system/shop',
    'Kustomization/flux-system/shop-dev',
    'Kustomization/flux-system/shop-prod',
  ]);
  expect(objects[0].spec).toEqual({
    url: 'https://git.example.com/shop.git',
    ref: { branch: 'release' },
    interval: '90s',
  });
  expect(objects[2].spec).toEqual({
    interval: '90s',
    retryInterval: '1m',
    timeout: '5m',
    path: './dist/prod',
    prune: true,
    wait: true,
    healthCheckExprs: FLUX_HEALTH_CHECK_EXPRS,
    sourceRef: { kind: 'GitRepository', name: 'shop' },
  });
});

describe('ordering, retries and suspension', () => {
  const platform = new Environment({ name: 'platform', folder: 'dist/platform', applySet: 'shop-platform' });
  const apps = new Environment({
    name: 'apps',
    folder: 'dist/apps',
    applySet: 'shop-apps',
    dependsOn: ['platform'],
  });
  const bound = (gitops: GitOps) => {
    const app = testApp();
    gitops.bind(app, [platform, apps]);
    return app.charts.flatMap((chart) => chart.toJson() as Obj[]);
  };

  test('Flux: dependsOn the Kustomizations of the environments before it; retry, timeout and suspend', () => {
    const [, first, second] = bound(
      GitOps.flux({
        url: 'https://git.example.com/shop.git',
        retryInterval: Duration.seconds(20),
        timeout: Duration.minutes(2),
        suspend: ['apps'],
      }),
    );
    expect(first.spec).toMatchObject({ retryInterval: '20s', timeout: '2m' });
    expect(first.spec.dependsOn).toBeUndefined();
    expect(first.spec.suspend).toBeUndefined();
    expect(second.spec).toMatchObject({ dependsOn: [{ name: 'shop-platform' }], suspend: true });
  });

  test('Argo CD: the environments before it sync in earlier waves', () => {
    const objects = bound(GitOps.argoCd({ repoURL: 'https://git.example.com/shop.git' }));
    expect(objects.map((o) => [o.metadata.name, o.metadata.annotations])).toEqual([
      ['shop-platform', { 'argocd.argoproj.io/sync-wave': '0' }],
      ['shop-apps', { 'argocd.argoproj.io/sync-wave': '1' }],
    ]);
  });
});

test('the repository is required', () => {
  expect(() => GitOps.argoCd({ repoURL: ' ' })).toThrow(
    'GitOps.argoCd: repoURL is required (the Git repository the environment folders are pushed to)',
  );
  expect(() => GitOps.flux({ url: '' })).toThrow('GitOps.flux: url is required');
});

test('Flux leaves the Services a Rollout switches to Argo Rollouts, and no other Service', () => {
  const app = testApp();
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  new ApiObject(chart, 'rollout', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web' },
    spec: { strategy: { canary: { stableService: 'web', canaryService: 'web-canary' } } },
  });
  for (const name of ['web', 'web-canary', 'api']) {
    new ApiObject(chart, name, { apiVersion: 'v1', kind: 'Service', metadata: { name } });
  }
  GitOps.flux({ url: 'https://git.example.com/shop.git' }).prepare(app);
  const services = (chart.toJson() as Obj[]).filter((o) => o.kind === 'Service');
  expect(services.map((s) => [s.metadata.name, s.metadata.annotations])).toEqual([
    ['web', { 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' }],
    ['web-canary', { 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' }],
    ['api', undefined],
  ]);
});
