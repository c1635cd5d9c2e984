/**
 * A StatefulService and a WebService with several named ports and Services, applied by the client into a
 * namespace that enforces (and warns about) Pod Security "restricted", on the real control plane.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { Chart, Size } from 'cdk8s';
import { ApiClient, CONTENT_TYPES } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { ServiceKind } from '../../lib/apps/service-kind.js';
import { StatefulService } from '../../lib/apps/stateful-service.js';
import { WebService } from '../../lib/apps/web-service.js';
import { RESTRICTED_NAMESPACE_LABELS } from '../../lib/security/pod-security.js';
import { binaryPath } from '../cluster/components.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { testApp } from '../util/synth.js';
import { cli, writeManifests } from './client-cli.js';
import { createNamespace, describeCluster, eventually, testKubeConfig } from './cluster.js';

describeCluster('ports, Services and stateful services', () => {
  test('apply with zero warnings, become ready, and keep every port name and appProtocol', async () => {
    const namespace = await createNamespace('services', { ...RESTRICTED_NAMESPACE_LABELS });
    const chart = new Chart(testApp(), 'services', { namespace });
    const cache = new StatefulService(chart, 'cache', {
      image: 'ghcr.io/acme/redis:7.2.4',
      ports: [{ name: 'redis', number: 6379, appProtocol: 'redis' }],
      replicas: 2,
      fsGroup: 999,
      volumeClaims: [{ name: 'data', mountPath: '/data', storage: Size.gibibytes(1) }],
    });
    const checkout = new WebService(chart, 'checkout', {
      image: 'ghcr.io/acme/checkout:1.0.0',
      ports: [
        { name: 'grpc', number: 5050, appProtocol: 'kubernetes.io/h2c' },
        { name: 'http', number: 8080, servicePort: 80, appProtocol: 'http' },
        { name: 'metrics', number: 9090 },
      ],
      additionalServices: [
        {
          name: 'checkout-public',
          kind: ServiceKind.loadBalancer({ reason: 'partners call the API directly' }),
          ports: ['http'],
        },
        { name: 'checkout-pods', kind: ServiceKind.headless(), ports: ['grpc'] },
      ],
    });
    checkout.calls(cache);
    const file = await writeManifests(chart.toJson() as Manifest[]);

    // kubectl prints every warning the API server sends (Pod Security's among them) on stderr; the
    // server-side dry run admits the workloads as the apply will.
    const dryRun = await promisify(execFile)(binaryPath('kubectl'), [
      'apply',
      '--server-side',
      '--dry-run=server',
      '-f',
      file,
      '--kubeconfig',
      process.env[KUBECONFIG_VARIABLE]!,
    ]);
    expect(dryRun.stderr).toBe('');

    // The test cluster has no volume provisioner: one PersistentVolume per claim the StatefulSet makes.
    const core = testKubeConfig().makeApiClient(CoreV1Api);
    for (const claim of ['data-cache-0', 'data-cache-1']) {
      await core.createPersistentVolume({
        body: {
          metadata: { name: `${namespace}-${claim}` },
          spec: {
            capacity: { storage: '1Gi' },
            accessModes: ['ReadWriteOnce'],
            hostPath: { path: `/tmp/${namespace}/${claim}` },
            claimRef: { namespace, name: claim },
          },
        },
      });
    }

    const apply = await cli(['apply', file, '-n', namespace, '--applyset', 'services', '--yes']);
    expect(apply.code).toBe(0);
    // Nor has it a cloud: the test gives the load balancer its address, as a cloud controller would.
    await ApiClient.fromKubeConfig(testKubeConfig()).request({
      method: 'PATCH',
      path: `/api/v1/namespaces/${namespace}/services/checkout-public/status`,
      contentType: CONTENT_TYPES.merge,
      body: { status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } } },
    });
    const watch = await cli(['watch', file, '-n', namespace, '--applyset', 'services', '--timeout', '120s']);
    expect(watch.code).toBe(0);
    expect(watch.stdout).toContain(`StatefulSet/${namespace}/cache ready`);
    expect(watch.stdout).toContain(`Deployment/${namespace}/checkout ready`);

    const statefulSet = await testKubeConfig()
      .makeApiClient(AppsV1Api)
      .readNamespacedStatefulSet({ name: 'cache', namespace });
    expect(statefulSet.status?.readyReplicas).toBe(2);
    for (const pod of ['cache-0', 'cache-1']) {
      const live = await core.readNamespacedPod({ name: pod, namespace });
      expect(live.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName).toBe(
        `data-${pod}`,
      );
      expect(live.spec?.containers[0].volumeMounts).toContainEqual(
        expect.objectContaining({ name: 'data', mountPath: '/data' }),
      );
    }
    await eventually('the claims to be bound', async () => {
      const claims = await core.listNamespacedPersistentVolumeClaim({ namespace });
      return claims.items.length === 2 && claims.items.every((c) => c.status?.phase === 'Bound')
        ? true
        : undefined;
    });

    const ports = async (name: string) => {
      const service = await core.readNamespacedService({ name, namespace });
      return {
        clusterIP: service.spec?.clusterIP === 'None' ? 'None' : 'assigned',
        type: service.spec?.type,
        selector: service.spec?.selector,
        ports: service.spec?.ports?.map((p) => ({
          name: p.name,
          port: p.port,
          targetPort: p.targetPort,
          appProtocol: p.appProtocol,
        })),
      };
    };
    const grpc = { name: 'grpc', port: 5050, targetPort: 5050, appProtocol: 'kubernetes.io/h2c' };
    const http = { name: 'http', port: 80, targetPort: 8080, appProtocol: 'http' };
    const checkoutPods = { 'app.kubernetes.io/name': 'checkout' };
    expect(await ports('cache')).toEqual({
      clusterIP: 'None',
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': 'cache' },
      ports: [{ name: 'redis', port: 6379, targetPort: 6379, appProtocol: 'redis' }],
    });
    expect(await ports('checkout')).toEqual({
      clusterIP: 'assigned',
      type: 'ClusterIP',
      selector: checkoutPods,
      ports: [grpc, http, { name: 'metrics', port: 9090, targetPort: 9090, appProtocol: undefined }],
    });
    expect(await ports('checkout-public')).toEqual({
      clusterIP: 'assigned',
      type: 'LoadBalancer',
      selector: checkoutPods,
      ports: [http],
    });
    expect(await ports('checkout-pods')).toEqual({
      clusterIP: 'None',
      type: 'ClusterIP',
      selector: checkoutPods,
      ports: [grpc],
    });
    // Each Service has endpoints: the pods it selects are the workload's, ready.
    const endpoints = await core.readNamespacedEndpoints({ name: 'cache', namespace });
    expect(endpoints.subsets?.[0].addresses?.map((a) => a.hostname).sort()).toEqual(['cache-0', 'cache-1']);
  });
});
