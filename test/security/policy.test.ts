import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, Chart } from 'cdk8s';
import { WebService } from '../../lib/apps/web-service.js';
import { DevOpsApp } from '../../lib/devops-app.js';
import type { SynthesizedObject } from '../../lib/security/policy.js';
import { findViolations, formatViolation } from '../../lib/security/policy.js';

function violations(object: SynthesizedObject): string[] {
  return findViolations([{ path: 'app/obj', object }]).map(formatViolation);
}

function deployment(pod: object, annotations?: Record<string, string>): SynthesizedObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'bad', annotations },
    spec: { template: { spec: pod } },
  };
}

const safeContainer = {
  name: 'app',
  image: 'acme/app:1.0.0',
  securityContext: {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  },
  resources: { limits: { cpu: '1', memory: '1Gi' } },
};

const waive = (rule: string) =>
  `or waive it with the annotation policy.cdk8s-devops.io/waive-${rule}: "<reason>"`;

test('a compliant pod passes every rule', () => {
  expect(violations(deployment({ containers: [safeContainer] }))).toEqual([]);
});

test.each([
  [
    'privileged',
    { containers: [{ ...safeContainer, securityContext: { privileged: true } }] },
    `Deployment/bad (app/obj) breaks policy "privileged": container "app" is privileged. Fix: set securityContext.privileged: false and allowPrivilegeEscalation: false on the container, ${waive('privileged')}`,
  ],
  [
    'privileged',
    { containers: [{ ...safeContainer, securityContext: {} }] },
    `Deployment/bad (app/obj) breaks policy "privileged": container "app" may escalate privileges (allowPrivilegeEscalation is not false). Fix: set securityContext.privileged: false and allowPrivilegeEscalation: false on the container, ${waive('privileged')}`,
  ],
  [
    'host-namespaces',
    { hostNetwork: true, hostPID: true, containers: [safeContainer] },
    `Deployment/bad (app/obj) breaks policy "host-namespaces": the pod sets hostNetwork: true. Fix: remove hostNetwork, hostPID and hostIPC from the pod spec, ${waive('host-namespaces')}`,
  ],
  [
    'host-path',
    {
      volumes: [{ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }],
      containers: [safeContainer],
    },
    `Deployment/bad (app/obj) breaks policy "host-path": volume "docker" mounts a hostPath. Fix: use an emptyDir, ConfigMap, Secret or PersistentVolumeClaim volume instead, ${waive('host-path')}`,
  ],
  [
    'resource-limits',
    { containers: [{ ...safeContainer, resources: { limits: { cpu: '1' } } }] },
    `Deployment/bad (app/obj) breaks policy "resource-limits": container "app" has no memory limit. Fix: set resources.limits.cpu and resources.limits.memory on the container, ${waive('resource-limits')}`,
  ],
  [
    'image-pinned',
    { containers: [{ ...safeContainer, image: 'acme/app:latest' }] },
    `Deployment/bad (app/obj) breaks policy "image-pinned": container "app" image "acme/app:latest" uses the moving tag "latest". Fix: pin the image to a version tag or a digest, ${waive('image-pinned')}`,
  ],
  [
    'image-pinned',
    {
      initContainers: [{ ...safeContainer, name: 'init', image: 'acme/migrate' }],
      containers: [safeContainer],
    },
    `Deployment/bad (app/obj) breaks policy "image-pinned": container "init" image "acme/migrate" has no tag or digest. Fix: pin the image to a version tag or a digest, ${waive('image-pinned')}`,
  ],
])('rule %s: exact report', (_rule, pod, message) => {
  expect(violations(deployment(pod))[0]).toBe(message);
});

test('host namespaces: one violation per namespace shared', () => {
  expect(
    violations(deployment({ hostNetwork: true, hostPID: true, hostIPC: true, containers: [safeContainer] })),
  ).toHaveLength(3);
});

test('rule rbac-wildcard: exact report, for Roles and ClusterRoles', () => {
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'admin-ish' },
    rules: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: ['*'], resources: ['*'], verbs: ['get'] },
    ],
  };
  expect(violations(role)).toEqual([
    `ClusterRole/admin-ish (app/obj) breaks policy "rbac-wildcard": rule 1 grants every one of its apiGroups ("*"). Fix: name the API groups, resources and verbs the role needs, ${waive('rbac-wildcard')}`,
    `ClusterRole/admin-ish (app/obj) breaks policy "rbac-wildcard": rule 1 grants every one of its resources ("*"). Fix: name the API groups, resources and verbs the role needs, ${waive('rbac-wildcard')}`,
  ]);
});

test('rule secret-literal-data: exact report', () => {
  expect(
    violations({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      stringData: { password: 'hunter2' },
    }),
  ).toEqual([
    `Secret/db (app/obj) breaks policy "secret-literal-data": the Secret carries literal data in the chart. Fix: keep secret values out of the chart: refer to a Secret made elsewhere (ExistingSecret), ${waive('secret-literal-data')}`,
  ]);
  expect(violations({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'empty' } })).toEqual([]);
});

test('rule load-balancer: exact report', () => {
  expect(
    violations({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'edge' },
      spec: { type: 'LoadBalancer' },
    }),
  ).toEqual([
    `Service/edge (app/obj) breaks policy "load-balancer": the Service is of type LoadBalancer, which provisions a cloud load balancer of its own. Fix: use type ClusterIP behind an Ingress, or opt in with WebService loadBalancer: { reason }, ${waive('load-balancer')}`,
  ]);
});

test('CronJob pod templates are checked too', () => {
  const cronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly' },
    spec: {
      jobTemplate: {
        spec: { template: { spec: { containers: [{ ...safeContainer, image: 'acme/job' }] } } },
      },
    },
  };
  expect(violations(cronJob)).toHaveLength(1);
});

test('a waiver with a reason excuses the object; one without a reason does not', () => {
  const pod = { hostNetwork: true, containers: [safeContainer] };
  expect(
    violations(
      deployment(pod, { 'policy.cdk8s-devops.io/waive-host-namespaces': 'CNI agent needs the node network' }),
    ),
  ).toEqual([]);
  expect(violations(deployment(pod, { 'policy.cdk8s-devops.io/waive-host-namespaces': ' ' }))).toEqual([
    `Deployment/bad (app/obj) breaks policy "host-namespaces": the waiver annotation gives no reason. Fix: remove hostNetwork, hostPID and hostIPC from the pod spec, ${waive('host-namespaces')}`,
  ]);
});

test('a synth with a violation fails with the report and writes nothing', () => {
  const publishDir = join(mkdtempSync(join(tmpdir(), 'policy-')), 'dist');
  const app = new DevOpsApp({ publishDir });
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  new WebService(chart, 'api', { image: 'acme/api:1.0.0' });
  new ApiObject(chart, 'leaked', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'leaked' },
    stringData: { token: 'x' },
  });
  expect(() => app.synth()).toThrow(
    new Error(
      'synth stopped by 1 policy violation(s):\n' +
        `  - Secret/leaked (shop/leaked) breaks policy "secret-literal-data": the Secret carries literal data in the chart. Fix: keep secret values out of the chart: refer to a Secret made elsewhere (ExistingSecret), ${waive('secret-literal-data')}`,
    ),
  );
  expect(() => readdirSync(publishDir)).toThrow(/ENOENT/);
});

test('the library workloads pass every rule as they are', () => {
  const publishDir = join(mkdtempSync(join(tmpdir(), 'policy-')), 'dist');
  const app = new DevOpsApp({ publishDir });
  new WebService(new Chart(app, 'shop', { namespace: 'shop' }), 'api', { image: 'acme/api:1.0.0' });
  app.synth();
  expect(readdirSync(publishDir)).toEqual(['shop.k8s.yaml']);
});

test('rule pod-security-restricted: every container, init and ephemeral ones included, as the API server checks them', () => {
  const initWithoutDrop = {
    ...safeContainer,
    name: 'migrate',
    securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true },
  };
  const debugAsRoot = {
    ...safeContainer,
    name: 'debug',
    securityContext: {
      ...safeContainer.securityContext,
      runAsUser: 0,
      capabilities: { drop: ['ALL'], add: ['SYS_PTRACE', 'NET_BIND_SERVICE'] },
    },
  };
  const fix =
    'Fix: drop every capability (capabilities.drop: [ALL]), set runAsNonRoot: true and seccompProfile type RuntimeDefault, on the container or the pod, ' +
    waive('pod-security-restricted');
  expect(
    violations(
      deployment({
        securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        initContainers: [initWithoutDrop],
        containers: [safeContainer],
        ephemeralContainers: [debugAsRoot],
      }),
    ),
  ).toEqual([
    `Deployment/bad (app/obj) breaks policy "pod-security-restricted": container "migrate" does not drop every capability (capabilities.drop lacks "ALL"). ${fix}`,
    `Deployment/bad (app/obj) breaks policy "pod-security-restricted": container "debug" adds the capability "SYS_PTRACE". ${fix}`,
    `Deployment/bad (app/obj) breaks policy "pod-security-restricted": container "debug" may run as root (runAsNonRoot is not true, or runAsUser is 0). ${fix}`,
  ]);
  const noSeccomp = {
    ...safeContainer,
    securityContext: { ...safeContainer.securityContext, seccompProfile: undefined },
  };
  expect(violations(deployment({ containers: [noSeccomp] }))).toEqual([
    `Deployment/bad (app/obj) breaks policy "pod-security-restricted": container "app" has no seccomp profile RuntimeDefault or Localhost, on itself or the pod. ${fix}`,
  ]);
});
