/**
 * A canary under the engine: Flux applies each published version, the real Argo Rollouts controller
 * runs the canary with analyses against the real Prometheus, and Flux's health checks wait for it; its
 * next reconciliations leave the Services the controller switches as the controller set them.
 */
import { Duration } from 'cdk8s';
import type { Chart } from 'cdk8s';
import { WebService } from '../../lib/apps/web-service.js';
import { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
import { Environment, GitOps } from '../../lib/gitops/index.js';
import { GIT_VARIABLE, KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { runCollected } from '../client/run-cli.js';
import { createNamespace, eventually } from './cluster.js';
import {
  appliedRevision,
  bindTo,
  clusterOf,
  gitOpsSource,
  publishTo,
  read,
  writeEnvironment,
} from './gitops.js';
import {
  describeRollouts,
  fastErrorRate,
  monitor,
  prometheusAddress,
  readRollout,
  setTraffic,
  synthApp,
} from './rollouts.js';

/** Blue/green: the new version is measured behind the preview Service before the active one switches. */
function blueGreenService(chart: Chart, tag: string): void {
  const web = new WebService(chart, 'web', {
    image: `ghcr.io/acme/web:${tag}`,
    strategy: DeploymentStrategy.blueGreen({
      prePromotionAnalysis: [fastErrorRate({ measurements: 3 })],
      prometheusAddress: prometheusAddress(),
    }),
  });
  monitor(web);
}

describeRollouts('a Rollout under Flux', () => {
  test('the engine waits for the new version to be promoted and Healthy, then leaves the Rollout and its Services as the controller set them; a version whose analysis fails is reported not Ready, naming the Rollout', async () => {
    const namespace = await createNamespace('gitops-canary');
    const source = await gitOpsSource({ staging: { namespace, applySet: `shop-staging-${namespace}` } });
    const repo = `${process.env[GIT_VARIABLE]}/gitops-canary-${namespace}.git`;
    expect(
      (
        await fetch(`${process.env[GIT_VARIABLE]}/repositories/gitops-canary-${namespace}.git`, {
          method: 'POST',
        })
      ).status,
    ).toBe(201);
    const staging = clusterOf(process.env[KUBECONFIG_VARIABLE]!);
    const gitops = GitOps.flux({
      url: repo,
      interval: Duration.seconds(5),
      retryInterval: Duration.seconds(5),
      timeout: Duration.minutes(1),
    });
    const publish = async (tag: string) => {
      const { objects } = await synthApp(namespace, (chart) => blueGreenService(chart, tag));
      await writeEnvironment(source, 'staging', objects, gitops);
      return publishTo(source, repo, '--env', 'staging');
    };

    const first = await publish('1.0.0');
    await bindTo(staging, gitops, [
      new Environment({
        name: 'staging',
        folder: 'dist/staging',
        applySet: `shop-staging-${namespace}`,
        namespace,
      }),
    ]);
    const name = `shop-staging-${namespace}`;
    await appliedRevision(staging, name, first.revision);
    const stable = (await readRollout(namespace, 'web')).status!.currentPodHash!;

    const second = await publish('2.0.0');
    await appliedRevision(staging, name, second.revision);
    // Ready at the new commit only once the analysis passed and the new version was promoted.
    const rollout = await readRollout(namespace, 'web');
    expect(rollout.status!.phase).toBe('Healthy');
    expect(rollout.status!.currentPodHash).not.toBe(stable);
    expect(rollout.status!.stableRS).toBe(rollout.status!.currentPodHash);

    // Several reconciliations later (every 5 s), the Services still select what the controller chose.
    const selectors = async () =>
      Promise.all(
        ['web', 'web-preview'].map(
          async (service) =>
            (
              await read(staging, {
                apiVersion: 'v1',
                kind: 'Service',
                metadata: { name: service, namespace },
              })
            )?.spec?.selector as Record<string, string> | undefined,
        ),
      );
    const before = await selectors();
    expect(before.map((s) => s?.['rollouts-pod-template-hash'])).toEqual([
      rollout.status!.stableRS,
      rollout.status!.stableRS,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    expect(await selectors()).toEqual(before);
    expect((await readRollout(namespace, 'web')).metadata.generation).toBe(rollout.metadata.generation);

    // A version whose analysis fails: its pods fail half their requests, the stable ones none.
    await setTraffic(namespace, '', { errorRatio: 0.5 });
    await setTraffic(namespace, `web-${rollout.status!.stableRS}`, { errorRatio: 0 });
    const third = await publish('3.0.0');
    const failed = await eventually(
      'the engine to report the environment not Ready',
      async () => {
        const result = await runCollected(
          ['status', '--gitops', '--env', 'staging', '--kubeconfig', process.env[KUBECONFIG_VARIABLE]!],
          { cwd: source, env: { ...process.env } },
        );
        return result.code === 1 &&
          result.stdout.includes(`commit ${third.revision.slice(10, 17)} not applied`)
          ? result
          : undefined;
      },
      240_000,
    );
    expect(failed.stdout).toContain(`Rollout/${namespace}/web`);
    expect(failed.stdout).toMatch(/AnalysisRun \S+ Failed: /);
    expect((await readRollout(namespace, 'web')).status!.stableRS).toBe(rollout.status!.stableRS);
  }, 600_000);
});
