/** The default app, applied and waited for as `deploy` does, with the real Argo Rollouts controller. */
import { ShopChart } from '../../charts/shop-chart.js';
import { Testing } from 'cdk8s';
import type { Manifest } from '../../client/transport/resources.js';
import { testApp } from '../util/synth.js';
import { writeManifests } from './client-cli.js';
import { createNamespace } from './cluster.js';
import { apply, describeRollouts, readRollout } from './rollouts.js';

describeRollouts('the default app', () => {
  test('applies and becomes ready, both Rollouts Healthy with no InvalidSpec', async () => {
    const namespace = await createNamespace('shop');
    const objects = Testing.synth(new ShopChart(testApp(), 'shop', { namespace })) as Manifest[];
    const file = await writeManifests(objects);
    const run = await apply(file, namespace, '--wait', '--timeout', '120s');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Rollout/${namespace}/storefront Healthy: healthy`);
    expect(run.stdout).toContain(`Rollout/${namespace}/api Healthy: healthy`);
    // Every object of the chart, its monitoring (ServiceMonitors, PrometheusRules, dashboards...) included.
    expect(objects.length).toBeGreaterThan(33);
    expect(run.stdout).toMatch(
      new RegExp(`applied ${objects.length} objects, pruned 0; recorded revision 1\n$`),
    );
    for (const name of ['storefront', 'api']) {
      const rollout = await readRollout(namespace, name);
      expect(rollout.status?.phase).toBe('Healthy');
      expect(rollout.status?.conditions?.map((c) => c.type)).not.toContain('InvalidSpec');
    }
  });
});
