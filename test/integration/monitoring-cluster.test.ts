/**
 * Monitoring objects on the real control plane: the Prometheus Operator's CRD schemas accept what the
 * library writes, and a workload with both sidecars is admitted under Pod Security "restricted" with no
 * warning (kwok makes an admitted pod Ready, so admission is what counts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { Chart, Testing } from 'cdk8s';
import { toYaml } from '../util/yaml.js';
import type { Manifest } from '../../client/transport/resources.js';
import { WebService } from '../../lib/apps/web-service.js';
import { Worker } from '../../lib/apps/worker.js';
import { AlertRouting, NotificationTarget } from '../../lib/monitoring/alert-routing.js';
import { LogInput, LogOutput, LogParser } from '../../lib/monitoring/fluent-bit.js';
import { Monitoring } from '../../lib/monitoring/monitoring.js';
import { RESTRICTED_NAMESPACE_LABELS } from '../../lib/security/pod-security.js';
import { binaryPath } from '../cluster/components.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import type { Obj } from '../util/synth.js';
import { testApp } from '../util/synth.js';
import {
  apiError,
  createNamespace,
  describeCluster,
  eventually,
  serverSideApply,
  testKubeConfig,
} from './cluster.js';

const image = 'ghcr.io/acme/api:1.0.0';
const MONITORING_KINDS = ['ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'AlertmanagerConfig'];

/** A WebService and a Worker with every monitoring option, and alert routing to every kind of target. */
function monitoredApp(namespace: string): Obj[] {
  const chart = new Chart(testApp(), 'monitored', { namespace });
  const api = new WebService(chart, 'api', { image });
  const worker = new Worker(chart, 'orders', { image, port: 9100 });
  const logs = {
    inputs: [LogInput.file({ parser: LogParser.json() })],
    outputs: [
      LogOutput.cloudWatchLogs({ region: 'eu-west-1', logGroupName: '/shop/api' }),
      LogOutput.elasticsearch({
        host: 'es.example.com',
        index: 'shop',
        auth: { user: 'shipper', password: { secretName: 'es', key: 'password' } },
      }),
    ],
  };
  new Monitoring(chart, 'api-monitoring', { workload: api, statsd: true, logs });
  new Monitoring(chart, 'orders-monitoring', { workload: worker, logs: { outputs: [LogOutput.stdout()] } });
  const secret = (key: string) => ({ secretName: 'alerting', key });
  new AlertRouting(chart, 'alerts', {
    routes: {
      critical: [
        NotificationTarget.slack({ apiUrl: secret('slack'), channel: '#oncall' }),
        NotificationTarget.snsTopic({
          topicArn: 'arn:aws:sns:eu-west-1:123456789012:critical',
          bridgeUrl: 'http://sns-forwarder.monitoring.svc:9087',
        }),
      ],
      warning: [
        NotificationTarget.email({
          to: 'team@example.com',
          from: 'alerts@example.com',
          smarthost: 'smtp.example.com:587',
          password: secret('smtp'),
        }),
      ],
      info: [NotificationTarget.webhook(secret('webhook'))],
    },
  });
  return Testing.synth(chart) as Obj[];
}

async function kubectlApply(manifests: Manifest[]): Promise<{ stdout: string; stderr: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'monitoring-')), 'app.yaml');
  writeFileSync(file, manifests.map((m) => toYaml(m)).join('---\n'));
  return promisify(execFile)(
    binaryPath('kubectl'),
    ['apply', '--server-side', '--field-manager=cdk8s-devops-test', '-f', file],
    { env: { ...process.env, KUBECONFIG: process.env[KUBECONFIG_VARIABLE] } },
  );
}

describeCluster('monitoring on a real control plane', () => {
  test('ServiceMonitor, PodMonitor, PrometheusRule and AlertmanagerConfig are accepted by their CRD schemas, unpruned', async () => {
    const namespace = await createNamespace('monitoring-crds');
    const objects = monitoredApp(namespace);
    const applied = await serverSideApply(objects);
    const kinds = applied.filter((o) => MONITORING_KINDS.includes(o.kind));
    expect(kinds.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        'AlertmanagerConfig/alert-routing',
        'PodMonitor/orders',
        'PodMonitor/api',
        'PrometheusRule/api-alarms',
        'PrometheusRule/orders-alarms',
        'ServiceMonitor/api',
      ].sort(),
    );
    for (const live of kinds) {
      const sent = objects.find((o) => o.kind === live.kind && o.metadata.name === live.metadata.name)!;
      // What the server stored is what was sent: the schema pruned no field.
      expect({ kind: live.kind, spec: live.spec }).toEqual({ kind: sent.kind, spec: sent.spec });
    }
  });

  test('the AlertmanagerConfig schema refuses what Alertmanager would not take (the check can fail)', async () => {
    const namespace = await createNamespace('monitoring-crds');
    const routing = monitoredApp(namespace).find((o) => o.kind === 'AlertmanagerConfig')!;
    const broken = structuredClone(routing);
    // A Slack receiver whose webhook URL names no key of its Secret.
    delete broken.spec.receivers[1].slackConfigs[0].apiURL.key;
    const error = await apiError(serverSideApply([broken]));
    expect(error.code).toBe(422);
    expect(error.message).toContain('spec.receivers[1].slackConfigs[0].apiURL.key: Required value');
  });

  test('a workload with the StatsD and Fluent Bit sidecars is admitted under Pod Security "restricted" with no warning, its pods Ready', async () => {
    const namespace = await createNamespace('monitoring-pss', { ...RESTRICTED_NAMESPACE_LABELS });
    const { stderr, stdout } = await kubectlApply(monitoredApp(namespace));
    expect(stderr).toBe('');
    expect(stdout).toContain('deployment.apps/api serverside-applied');
    const core = testKubeConfig().makeApiClient(CoreV1Api);
    const pods = await eventually('two Ready api pods', async () => {
      const list = await core.listNamespacedPod({ namespace, labelSelector: 'app.kubernetes.io/name=api' });
      const ready = list.items.filter((p) =>
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return ready.length === 2 ? ready : undefined;
    });
    // The sidecars are native: init containers that keep running, as the server stored them.
    expect(pods[0].spec?.initContainers?.map((c) => [c.name, c.restartPolicy])).toEqual([
      ['statsd-exporter', 'Always'],
      ['fluent-bit', 'Always'],
    ]);
  });

  test('a sidecar that keeps a capability is warned about (the check can fail)', async () => {
    const namespace = await createNamespace('monitoring-pss', { ...RESTRICTED_NAMESPACE_LABELS });
    const deployment = monitoredApp(namespace).find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'api',
    )!;
    delete deployment.spec.template.spec.initContainers[1].securityContext.capabilities;
    const { stderr } = await kubectlApply([deployment]);
    expect(stderr).toContain('would violate PodSecurity "restricted:latest"');
    expect(stderr).toContain('container "fluent-bit" must set securityContext.capabilities.drop=["ALL"]');
  });
});
