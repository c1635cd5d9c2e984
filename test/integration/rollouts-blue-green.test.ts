/**
 * Blue/green end to end on the real Argo Rollouts controller and the Prometheus the Prometheus Operator
 * configures from the app's ServiceMonitor: analyses before and after the switch, and Services whose
 * selector the controller owns.
 */
import type { Chart } from 'cdk8s';
import { Duration } from 'cdk8s';
import { WebService } from '../../lib/apps/web-service.js';
import { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
import { cli } from './client-cli.js';
import { createNamespace, eventually } from './cluster.js';
import {
  apply,
  describeRollouts,
  fastErrorRate,
  monitor,
  prometheusAddress,
  readRollout,
  rolloutPhase,
  selectorHash,
  setTraffic,
  synthApp,
} from './rollouts.js';

/**
 * The pre-promotion analysis measures 10 times, 2 s apart: no data never fires, so it must outlast the
 * time Prometheus takes to discover and scrape the new pods on a busy machine.
 */
function blueGreen(chart: Chart, tag: string, postMeasurements = 3): void {
  const web = new WebService(chart, 'web', {
    image: `ghcr.io/acme/web:${tag}`,
    strategy: DeploymentStrategy.blueGreen({
      prePromotionAnalysis: [fastErrorRate({ measurements: 10 })],
      postPromotionAnalysis: [fastErrorRate({ measurements: postMeasurements })],
      scaleDownDelay: Duration.minutes(2),
      prometheusAddress: prometheusAddress(),
    }),
  });
  monitor(web);
}

describeRollouts('blue/green on the real Argo Rollouts controller, measured by a real Prometheus', () => {
  test('a failing pre-promotion analysis never switches the active Service; re-applying meanwhile conflicts with nothing and diff shows no drift, even forced', async () => {
    const namespace = await createNamespace('bg-pre');
    const revision = (tag: string) => synthApp(namespace, (chart) => blueGreen(chart, tag));
    expect((await apply((await revision('1.0.0')).file, namespace, '--wait', '--timeout', '90s')).code).toBe(
      0,
    );
    const blue = (await readRollout(namespace, 'web')).status!.currentPodHash!;
    expect(await selectorHash(namespace, 'web')).toBe(blue);

    await setTraffic(namespace, '', { errorRatio: 0.5 });
    await setTraffic(namespace, `web-${blue}`, { errorRatio: 0 });
    const green = await revision('2.0.0');
    expect((await apply(green.file, namespace)).code).toBe(0);
    const previewed = await eventually('the preview Service to select the green pods', async () => {
      const hash = await selectorHash(namespace, 'web-preview');
      return hash && hash !== blue ? hash : undefined;
    });

    // While the analysis runs, the same manifests again: the controller's selectors stay its own.
    const again = await apply(green.file, namespace);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const diff = await cli(['diff', green.file, '--applyset', 'app', '-n', namespace]);
    expect(diff.stdout).toContain('0 to create, 0 to update, 0 to delete');
    expect(diff.code).toBe(0);
    expect((await apply(green.file, namespace, '--force-conflicts')).code).toBe(0);
    expect(await selectorHash(namespace, 'web')).toBe(blue);
    expect(await selectorHash(namespace, 'web-preview')).toBe(previewed);

    const aborted = await rolloutPhase(namespace, 'web', 'Degraded');
    expect(aborted.status!.message).toContain('Metric "error-rate" assessed Failed');
    expect(aborted.status!.blueGreen!.activeSelector).toBe(blue);
    expect(await selectorHash(namespace, 'web')).toBe(blue);
  });

  test('a failing post-promotion analysis switches the active Service back', async () => {
    const namespace = await createNamespace('bg-post');
    // The post-promotion analysis measures 15 times, 2 s apart: time to raise the errors after the switch.
    const revision = (tag: string) => synthApp(namespace, (chart) => blueGreen(chart, tag, 15));
    expect((await apply((await revision('1.0.0')).file, namespace, '--wait', '--timeout', '90s')).code).toBe(
      0,
    );
    const blue = (await readRollout(namespace, 'web')).status!.currentPodHash!;

    expect((await apply((await revision('2.0.0')).file, namespace)).code).toBe(0);
    const green = await eventually('the active Service to switch to green', async () => {
      const hash = await selectorHash(namespace, 'web');
      return hash && hash !== blue ? hash : undefined;
    });
    await setTraffic(namespace, `web-${green}`, { errorRatio: 0.5 });

    const aborted = await rolloutPhase(namespace, 'web', 'Degraded');
    expect(aborted.status!.message).toContain('Metric "error-rate" assessed Failed');
    await eventually('the active Service to switch back to blue', async () =>
      (await selectorHash(namespace, 'web')) === blue ? true : undefined,
    );
  });
});
