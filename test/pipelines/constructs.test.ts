import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart } from 'cdk8s';
import { BuildEnvValue } from '../../lib/pipelines/build-env.js';
import { BuildJob } from '../../lib/pipelines/build-job.js';
import { BuildNamespace } from '../../lib/pipelines/build-namespace.js';
import { BuildProject } from '../../lib/pipelines/build-project.js';
import { BuildSpec } from '../../lib/pipelines/buildspec.js';
import { pinImagesScript } from '../../lib/pipelines/deploy.js';
import { GitProvider, GitTrigger } from '../../lib/pipelines/git-trigger.js';
import { ImageBuild, ImageBuilder, ImageRegistry } from '../../lib/pipelines/image-build.js';
import { PackageMirror } from '../../lib/pipelines/package-mirror.js';
import { ReleasePipeline } from '../../lib/pipelines/release-pipeline.js';
import { all, one, synth, testApp, testChart } from '../util/synth.js';

const node = 'docker.io/library/node:22.11.0-bookworm';
const spec = BuildSpec.fromYaml(`version: 0.2
env:
  exported-variables: [VERSION]
phases:
  install: { commands: [npm ci] }
  build: { commands: [npm test] }
reports:
  unit: { files: [junit.xml] }
cache:
  paths: [node_modules/**/*]
`);

test('a BuildProject is a Task of one restricted step per phase and a finish step, as its own ServiceAccount without a token', () => {
  const chart = testChart();
  new BuildProject(chart, 'api-build', {
    buildSpec: spec,
    image: node,
    phaseImages: { install: 'docker.io/library/node:22.11.0-alpine' },
    env: {
      DB_PASSWORD: BuildEnvValue.fromSecret('db', 'password'),
      LEVEL: BuildEnvValue.fromConfigMap('cfg', 'level'),
    },
    cacheSize: '10Gi',
  });
  const objects = synth(chart);
  expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
    'ServiceAccount/api-build-build',
    'Task/api-build',
    'PersistentVolumeClaim/api-build-cache',
  ]);
  expect(one(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  expect(one(objects, 'PersistentVolumeClaim').spec.resources.requests.storage).toBe('10Gi');
  const task = one(objects, 'Task').spec;
  expect(task.steps.map((s: any) => [s.name, s.image, s.onError])).toEqual([
    ['install', 'docker.io/library/node:22.11.0-alpine', 'continue'],
    ['build', node, 'continue'],
    ['finish', node, undefined],
  ]);
  expect(task.results).toEqual([
    { name: 'VERSION', type: 'string' },
    { name: 'report-unit', type: 'string' },
  ]);
  expect(task.workspaces.map((w: any) => w.name)).toEqual(['source', 'cache', 'artifacts']);
  for (const step of task.steps) {
    expect(step.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(step.computeResources).toEqual({
      requests: { cpu: '250m', memory: '512Mi' },
      limits: { cpu: '2', memory: '2Gi' },
    });
    expect(step.env).toEqual(
      expect.arrayContaining([
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'level' } } },
        { name: 'CODEBUILD_RESOLVED_SOURCE_VERSION', value: '$(params.source-version)' },
      ]),
    );
  }
});

test('phaseImages must name phases of the buildspec', () => {
  expect(
    () =>
      new BuildProject(testChart(), 'api-build', {
        buildSpec: spec,
        image: node,
        phaseImages: { post_build: node },
      }),
  ).toThrow(
    new Error(
      'test/api-build: phaseImages names phase "post_build", which the buildspec does not have. Use one of: install, build',
    ),
  );
});

test('a kaniko build (root) is refused outside a build namespace, and admitted in one with the waivers recorded', () => {
  const app = testApp();
  const restricted = new Chart(app, 'shop', { namespace: 'shop' });
  new ImageBuild(restricted, 'api-image', {
    registry: ImageRegistry.dockerConfig('ghcr.io/acme/api', 'push'),
  });
  expect(() => app.synth()).toThrow(
    `shop/api-image: gcr.io/kaniko-project/executor:v1.23.2 builds as root, which only a build namespace allows; namespace "shop" is not one. Create new BuildNamespace(chart, 'builds', { name: "shop", reason: '...' }) for it, or build in a namespace that has one`,
  );

  const builds = new Chart(testApp(), 'builds', { namespace: 'shop-builds' });
  new BuildNamespace(builds, 'ns', { name: 'shop-builds', reason: 'kaniko builds images as root' });
  const image = new ImageBuild(builds, 'api-image', {
    registry: ImageRegistry.dockerConfig('ghcr.io/acme/api', 'push'),
  });
  const objects = synth(builds);
  expect(one(objects, 'Namespace').metadata).toEqual({
    name: 'shop-builds',
    labels: {
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    },
    annotations: { 'policy.cdk8s-devops.io/waive-pod-security-restricted': 'kaniko builds images as root' },
  });
  const task = one(objects, 'Task');
  expect(task.metadata.annotations['policy.cdk8s-devops.io/waive-run-as-root']).toMatch(
    /^image builds with kaniko/,
  );
  expect(task.spec.results.map((r: any) => r.name)).toEqual(['IMAGE_DIGEST', 'IMAGE_URL']);
  expect(task.spec.steps[0].script).toContain('--digest-file="$(results.IMAGE_DIGEST.path)"');
  expect(image.imageAt('api-image')).toBe('ghcr.io/acme/api@$(tasks.api-image.results.IMAGE_DIGEST)');
});

test('rootless buildah runs as user 1000, never root, and still needs a build namespace', () => {
  const builds = new Chart(testApp(), 'builds', { namespace: 'b' });
  new BuildNamespace(builds, 'ns', { name: 'b', reason: 'buildah needs privilege escalation for newuidmap' });
  new ImageBuild(builds, 'img', {
    registry: ImageRegistry.dockerConfig('ghcr.io/acme/api', 'push'),
    builder: ImageBuilder.buildah(),
  });
  const task = one(synth(builds), 'Task');
  expect(task.metadata.annotations).toBeUndefined();
  expect(task.spec.steps[0].securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true });
});

test('ECR through IRSA: the role on the ServiceAccount, the credential helper in config.json, no secret', () => {
  const builds = new Chart(testApp(), 'builds', { namespace: 'b' });
  new BuildNamespace(builds, 'ns', { name: 'b', reason: 'kaniko' });
  const repository = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api';
  new ImageBuild(builds, 'img', {
    registry: ImageRegistry.ecr(repository, 'arn:aws:iam::123456789012:role/builder'),
  });
  const objects = synth(builds);
  expect(one(objects, 'ServiceAccount').metadata.annotations).toEqual({
    'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/builder',
  });
  expect(JSON.parse(one(objects, 'ConfigMap').data['config.json'])).toEqual({
    credHelpers: { '123456789012.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' },
  });
  expect(all(objects, 'Secret')).toEqual([]);
  expect(
    () =>
      new ImageBuild(new Chart(testApp(), 'x', { namespace: 'x' }), 'img', {
        registry: ImageRegistry.ecr('ghcr.io/acme/api', 'arn:aws:iam::123456789012:role/builder'),
      }),
  ).toThrow(
    new Error(
      'x/img: ECR repository "ghcr.io/acme/api" is not in an ECR registry. Use 123456789012.dkr.ecr.<region>.amazonaws.com/<name>',
    ),
  );
});

test('a package mirror writes no secret: config files refer to the token, which comes from a Secret', () => {
  const chart = testChart();
  const mirror = new PackageMirror(chart, 'mirror', {
    npm: 'https://npm.example.com/repo/',
    pip: 'https://pypi.example.com/simple/',
    maven: 'https://maven.example.com/repo',
    tokenSecret: { secretName: 'mirror', key: 'token' },
  });
  const configMap = one(synth(chart), 'ConfigMap');
  expect(configMap.data.npmrc).toBe(
    'registry=https://npm.example.com/repo/\n//npm.example.com/repo/:_authToken=${MIRROR_TOKEN}\nalways-auth=true\n',
  );
  expect(configMap.data['settings.xml']).toContain('<password>${env.MIRROR_TOKEN}</password>');
  expect(mirror.env).toEqual([
    { name: 'MIRROR_TOKEN', valueFrom: { secretKeyRef: { name: 'mirror', key: 'token' } } },
    { name: 'NPM_CONFIG_USERCONFIG', value: '/etc/package-mirror/npmrc' },
    { name: 'PIP_INDEX_URL', value: 'https://aws:$(MIRROR_TOKEN)@pypi.example.com/simple/' },
    { name: 'MAVEN_ARGS', value: '--settings /etc/package-mirror/settings.xml' },
  ]);
  expect(() => new PackageMirror(testChart(), 'm', { npm: 'https://user:pw@npm.example.com/' })).toThrow(
    new Error(
      'test/m: npm must be an https URL without credentials, got "https://user:pw@npm.example.com/". Use https://host/path; credentials come from tokenSecret',
    ),
  );
});

test('the deploy pins images to the built digests in the manifests, whatever tag they had, and nothing else', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pin-'));
  writeFileSync(
    join(dir, 'app.yaml'),
    [
      'containers:',
      '  - image: ghcr.io/acme/api:1.4.2',
      '    name: api',
      '  - image: "ghcr.io/acme/api-worker:2.0.0"',
      "  - image: 'ghcr.io/acme/storefront@sha256:aaaa'",
      '',
    ].join('\n'),
  );
  const script = pinImagesScript(`'${dir}'`, {
    'ghcr.io/acme/api': 'ghcr.io/acme/api@sha256:1111',
    'ghcr.io/acme/storefront': 'ghcr.io/acme/storefront@sha256:2222',
  }).join('\n');
  expect(spawnSync('bash', ['-c', script]).status).toBe(0);
  expect(readFileSync(join(dir, 'app.yaml'), 'utf8')).toBe(
    [
      'containers:',
      '  - image: ghcr.io/acme/api@sha256:1111',
      '    name: api',
      '  - image: "ghcr.io/acme/api-worker:2.0.0"',
      "  - image: 'ghcr.io/acme/storefront@sha256:2222'",
      '',
    ].join('\n'),
  );
});

test('a GitHub push trigger: signature checked with the Secret, pushes to main only, a PipelineRun of the pushed commit, least privilege', () => {
  const chart = testChart();
  const pipeline = new ReleasePipeline(chart, 'release');
  new GitTrigger(chart, 'shop-push', {
    pipeline,
    provider: GitProvider.github({ secretName: 'webhook', secretKey: 'token' }),
  });
  const objects = synth(chart);
  const listener = one(objects, 'EventListener');
  expect(listener.spec.serviceAccountName).toBe('shop-push-listener');
  expect(listener.spec.triggers[0].interceptors).toEqual([
    {
      ref: { name: 'github', kind: 'ClusterInterceptor' },
      params: [
        { name: 'secretRef', value: { secretName: 'webhook', secretKey: 'token' } },
        { name: 'eventTypes', value: ['push'] },
      ],
    },
    {
      ref: { name: 'cel', kind: 'ClusterInterceptor' },
      params: [{ name: 'filter', value: "body.ref == 'refs/heads/main'" }],
    },
  ]);
  expect(one(objects, 'TriggerBinding').spec.params[0]).toEqual({ name: 'revision', value: '$(body.after)' });
  const run = one(objects, 'TriggerTemplate').spec.resourcetemplates[0];
  expect(run.metadata.generateName).toBe('release-');
  expect(run.spec.params).toEqual([{ name: 'revision', value: '$(tt.params.revision)' }]);
  expect(one(objects, 'Role', 'shop-push-listener').rules).toEqual([
    {
      apiGroups: ['triggers.tekton.dev'],
      resources: ['eventlisteners', 'triggers', 'triggerbindings', 'triggertemplates', 'interceptors'],
      verbs: ['get', 'list', 'watch'],
    },
    { apiGroups: ['tekton.dev'], resources: ['pipelineruns'], verbs: ['create'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  ]);
  expect(one(objects, 'ClusterRole').rules).toEqual([
    {
      apiGroups: ['triggers.tekton.dev'],
      resources: ['clustertriggerbindings', 'clusterinterceptors'],
      verbs: ['get', 'list', 'watch'],
    },
  ]);
});

test('a GitLab push trigger reads the Push Hook and its checkout_sha', () => {
  const chart = testChart();
  new GitTrigger(chart, 'push', {
    pipeline: new ReleasePipeline(chart, 'release'),
    provider: GitProvider.gitlab({ secretName: 'webhook', secretKey: 'token' }),
    branch: 'release/1.x',
  });
  const objects = synth(chart);
  const trigger = one(objects, 'EventListener').spec.triggers[0];
  expect(trigger.interceptors[0].params[1]).toEqual({ name: 'eventTypes', value: ['Push Hook'] });
  expect(trigger.interceptors[1].params[0].value).toBe("body.ref == 'refs/heads/release/1.x'");
  expect(one(objects, 'TriggerBinding').spec.params[0]).toEqual({
    name: 'revision',
    value: '$(body.checkout_sha)',
  });
});

test('a BuildJob runs the phases as init containers in order and finishes in its container, restricted, without a token', () => {
  const chart = testChart();
  new BuildJob(chart, 'api-build', {
    buildSpec: spec,
    image: node,
    source: { url: 'https://github.com/acme/api.git' },
  });
  const pod = one(synth(chart), 'Job').spec.template.spec;
  expect(pod.initContainers.map((c: any) => c.name)).toEqual(['source', 'install', 'build']);
  expect(pod.containers.map((c: any) => c.name)).toEqual(['finish']);
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(pod.securityContext).toEqual({
    runAsNonRoot: true,
    fsGroup: 65532,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(pod.initContainers[1].env).toContainEqual({ name: 'CDK8S_DEVOPS_PHASE_EXIT', value: 'zero' });
  expect(pod.initContainers[0].command[2]).toContain('git fetch -q --depth 1 origin "$PARAM_REVISION"');
});
