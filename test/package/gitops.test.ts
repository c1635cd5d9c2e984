import { Duration } from 'cdk8s';
import { Environment, GitOps } from '../../lib/gitops/index.js';
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
      syncOptions: ['ServerSideApply=true'],
    },
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
  expect(set.spec.template.spec.syncPolicy).toEqual({ syncOptions: ['ServerSideApply=true'] });
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
    path: './dist/prod',
    prune: true,
    wait: true,
    sourceRef: { kind: 'GitRepository', name: 'shop' },
  });
});

test('the repository is required', () => {
  expect(() => GitOps.argoCd({ repoURL: ' ' })).toThrow(
    'GitOps.argoCd: repoURL is required (the Git repository the environment folders are pushed to)',
  );
  expect(() => GitOps.flux({ url: '' })).toThrow('GitOps.flux: url is required');
});
