/** The default app's environment folders and GitOps objects, read by kubectl kustomize and the real CRDs. */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllYaml } from '../util/yaml.js';
import type { Manifest } from '../../client/transport/resources.js';
import { ARGO_CD_IGNORE_DIFFERENCES } from '../../lib/gitops/engine-fields.js';
import { Environment, GitOps } from '../../lib/gitops/index.js';
import { binaryPath } from '../cluster/components.js';
import { installCrds, readUpstreamCrds } from '../cluster/crds.js';
import { ON_DEMAND_CRDS } from '../cluster/upstream-crds.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { defaultAppProject } from '../package/default-app.js';
import { testApp } from '../util/synth.js';
import { PROJECT_ROOT } from '../util/project.js';
import { apiError, createNamespace, describeCluster, serverSideApply } from './cluster.js';

const run = promisify(execFile);

function objectsIn(text: string): Manifest[] {
  return parseAllYaml(text).filter((o): o is Manifest => o !== null);
}

/** The default app (main.ts), synthesized with `cdk8s synth` in a project folder of its own. */
async function synthDefaultApp(): Promise<string> {
  const dir = defaultAppProject();
  // Argo CD's objects, even in a shell where `npm run cluster:up`'s exports make main.ts write Flux's.
  await run(join(PROJECT_ROOT, 'node_modules/.bin/cdk8s'), ['synth', '--no-check-upgrade'], {
    cwd: dir,
    env: { ...process.env, CDK8S_DEVOPS_GIT_URL: '' },
  });
  return dir;
}

describeCluster('GitOps output', () => {
  let dist: string;

  beforeAll(async () => {
    dist = join(await synthDefaultApp(), 'dist');
  }, 120_000);

  test.each(['dev', 'staging', 'prod', 'ci', 'gitops'])(
    'kubectl kustomize reads dist/%s, with every object of its manifests',
    async (folder) => {
      const path = join(dist, folder);
      const { stdout } = await run(binaryPath('kubectl'), ['kustomize', path]);
      const key = (o: Manifest) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      const written = readdirSync(path)
        .filter((f) => f.endsWith('.k8s.yaml'))
        .flatMap((f) => objectsIn(readFileSync(join(path, f), 'utf8')));
      expect(written.length).toBeGreaterThan(0);
      expect(objectsIn(stdout).map(key).sort()).toEqual(written.map(key).sort());
    },
  );

  test("the default app's Argo CD Applications are accepted by Argo CD's Application CRD", async () => {
    const namespace = await createNamespace('argocd');
    const applications = objectsIn(readFileSync(join(dist, 'gitops/argo-cd.k8s.yaml'), 'utf8')).map((o) => ({
      ...o,
      metadata: { ...o.metadata, namespace },
    }));
    expect(applications.map((a) => a.metadata.name)).toEqual([
      'shop-dev',
      'shop-staging',
      'shop-prod',
      'shop-ci',
    ]);
    const stored = await serverSideApply(applications);
    expect(stored.map((a) => (a as any).spec.source.path)).toEqual([
      'dist/dev',
      'dist/staging',
      'dist/prod',
      'dist/ci',
    ]);
    expect((stored[2] as any).spec.syncPolicy.automated).toEqual({
      prune: true,
      selfHeal: true,
      allowEmpty: false,
    });

    // The schema is in force: an Application needs its destination.
    const broken = { ...applications[0], metadata: { ...applications[0].metadata, name: 'broken' } } as any;
    broken.spec = { ...broken.spec, destination: undefined };
    const refused = await apiError(serverSideApply([JSON.parse(JSON.stringify(broken))]));
    expect(refused.code).toBe(422);
    expect(refused.message).toContain('spec.destination: Required value');
  });

  test("an Argo CD ApplicationSet is accepted by Argo CD's ApplicationSet CRD", async () => {
    await installCrds(process.env[KUBECONFIG_VARIABLE]!, await readUpstreamCrds(ON_DEMAND_CRDS), 120_000);
    const namespace = await createNamespace('argocd');
    const app = testApp();
    GitOps.argoCd({
      repoURL: 'https://github.com/cdk8s-devops/shop-deploy.git',
      namespace,
      applicationSet: true,
    }).bind(app, [
      new Environment({ name: 'dev', folder: 'dist/dev', applySet: 'shop-dev', namespace: 'shop-dev' }),
      new Environment({ name: 'prod', folder: 'dist/prod', applySet: 'shop-prod', namespace: 'shop' }),
    ]);
    const objects = app.charts.flatMap((chart) => chart.toJson() as Manifest[]);
    const [stored] = (await serverSideApply(objects)) as any[];
    expect(`${stored.kind}/${stored.metadata.name}`).toBe('ApplicationSet/shop');
    expect(stored.spec.generators).toEqual([
      {
        list: {
          elements: [
            { name: 'shop-dev', path: 'dist/dev', namespace: 'shop-dev' },
            { name: 'shop-prod', path: 'dist/prod', namespace: 'shop' },
          ],
        },
      },
    ]);
    expect(stored.spec.goTemplate).toBe(true);
    expect(stored.spec.goTemplateOptions).toEqual(['missingkey=error']);
    expect(stored.spec.template).toEqual({
      metadata: { name: '{{.name}}' },
      spec: {
        project: 'default',
        source: {
          repoURL: 'https://github.com/cdk8s-devops/shop-deploy.git',
          targetRevision: 'HEAD',
          path: '{{.path}}',
        },
        destination: { server: 'https://kubernetes.default.svc', namespace: '{{.namespace}}' },
        syncPolicy: {
          automated: { prune: true, selfHeal: true, allowEmpty: false },
          syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'],
        },
        // Kept as written: the CRD's schema knows every field Argo CD needs to leave controllers' fields.
        ignoreDifferences: ARGO_CD_IGNORE_DIFFERENCES,
      },
    });

    // The schema is in force: an ApplicationSet needs its template, and the template its destination.
    const broken = JSON.parse(JSON.stringify(objects[0]));
    broken.metadata.name = 'broken';
    delete broken.spec.template.spec.destination;
    const refused = await apiError(serverSideApply([broken]));
    expect(refused.code).toBe(422);
    expect(refused.message).toContain('spec.template.spec.destination: Required value');
    delete broken.spec.template;
    const noTemplate = await apiError(serverSideApply([broken]));
    expect(noTemplate.message).toContain('spec.template: Required value');
  }, 240_000);

  test("Flux's GitRepository and Kustomizations are accepted by Flux's CRDs", async () => {
    const namespace = await createNamespace('flux-system');
    const app = testApp();
    GitOps.flux({ url: 'https://git.example.com/shop.git', namespace }).bind(app, [
      new Environment({ name: 'dev', folder: 'dist/dev', applySet: 'shop-dev' }),
      new Environment({ name: 'prod', folder: 'dist/prod', applySet: 'shop-prod' }),
    ]);
    const objects = app.charts.flatMap((chart) => chart.toJson() as Manifest[]);
    const stored = await serverSideApply(objects);
    expect(stored.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'GitRepository/shop',
      'Kustomization/shop-dev',
      'Kustomization/shop-prod',
    ]);
    expect((stored[2] as any).spec).toMatchObject({ path: './dist/prod', prune: true, interval: '5m' });

    // The schema is in force: a Kustomization needs its source.
    const broken = { ...objects[1], metadata: { ...objects[1].metadata, name: 'broken' } } as any;
    broken.spec = { ...broken.spec, sourceRef: undefined };
    const refused = await apiError(serverSideApply([JSON.parse(JSON.stringify(broken))]));
    expect(refused.code).toBe(422);
    expect(refused.message).toContain('spec.sourceRef: Required value');
  });
});
