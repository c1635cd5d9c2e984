/**
 * The Prometheus the Prometheus Operator configures finds the app's pods as in a real cluster: its
 * ServiceMonitor's job discovers them through the API server (endpointslice discovery) and scrapes the
 * test exporter in their place, so the labels queries filter on come from discovery and the monitor's
 * relabelings, not from the exporter.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Duration } from 'cdk8s';
import { WebService } from '../../lib/apps/web-service.js';
import { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
import { binaryPath } from '../cluster/components.js';
import { VERSIONS } from '../cluster/versions.js';
import { createNamespace, eventually } from './cluster.js';
import { apply, describeRollouts, monitor, readRollout, setTraffic, synthApp } from './rollouts.js';
import { prometheusData, query } from './prometheus.js';

describeRollouts('Prometheus and the Argo Rollouts controller in the test cluster', () => {
  test('are the pinned versions', async () => {
    const { stdout } = await promisify(execFile)(binaryPath('rollouts-controller'), ['--version']);
    expect(stdout.trim()).toBe(VERSIONS['argo-rollouts']);
    const info = await prometheusData<{ version: string }>('/api/v1/status/buildinfo');
    // The Go module v0.316.0 is Prometheus 3.16.0.
    expect(`v0.${info.version.replace(/^3\.(\d+)\.(\d+)$/, '3$1.$2')}`).toBe(VERSIONS.prometheus);
  });

  test("discovers the pods behind the ServiceMonitor's Services and labels their series with namespace, service, pod and pod template hash", async () => {
    const namespace = await createNamespace('scrape');
    const { file } = await synthApp(namespace, (chart) => {
      const web = new WebService(chart, 'web', {
        image: 'ghcr.io/acme/web:1.0.0',
        strategy: DeploymentStrategy.canary({ percent: 50, interval: Duration.seconds(10) }),
      });
      monitor(web);
    });
    await setTraffic(namespace, '', { errorRatio: 0.25 });
    expect((await apply(file, namespace, '--wait', '--timeout', '90s')).code).toBe(0);
    const hash = (await readRollout(namespace, 'web')).status!.currentPodHash!;

    const series = await eventually('both pods to be scraped', async () => {
      const found = await query(`http_requests_total{namespace="${namespace}",code="500"}`);
      return found.length === 2 ? found : undefined;
    });
    for (const { metric } of series) {
      expect(metric).toMatchObject({
        job: 'web',
        namespace,
        service: 'web',
        rollouts_pod_template_hash: hash,
      });
      expect(metric.pod).toMatch(new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
      expect(metric.instance).toMatch(/^10\.244\.\d+\.\d+:8080$/);
    }
    const ratio = await eventually('the error ratio to be measured', async () => {
      const [sample] = await query(
        `sum(rate(http_requests_total{namespace="${namespace}",code=~"5.."}[10s])) / sum(rate(http_requests_total{namespace="${namespace}"}[10s]))`,
      );
      return sample ? Number(sample.value[1]) : undefined;
    });
    expect(ratio).toBeCloseTo(0.25, 2);
  });
});
