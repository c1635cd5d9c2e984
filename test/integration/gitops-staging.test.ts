/**
 * A new version published to staging, on the real engine: Flux applies it, the real Argo Rollouts
 * controller takes a stepped canary (weights, timed pauses, a step analysis and a background one against
 * the real Prometheus) to Healthy, and the engine's next reconciliations leave the Rollout, its Services
 * and every published object as they were; `cdk8s-devops diff` of staging sees no drift, and prod, on a
 * control plane of its own, is untouched.
 */
import type { Chart } from 'cdk8s';
import { Duration } from 'cdk8s';
import type { Manifest } from '../../client/transport/resources.js';
import { WebService } from '../../lib/apps/web-service.js';
import { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
import { RolloutStep } from '../../lib/delivery/rollout-step.js';
import { TrafficRouter } from '../../lib/delivery/traffic-router.js';
import { Environment, GitOps } from '../../lib/gitops/index.js';
import { ControlPlane } from '../cluster/control-plane.js';
import { GIT_VARIABLE, KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { runCollected } from '../client/run-cli.js';
import type { Cluster, Live } from './gitops.js';
import {
  appliedRevision,
  bindTo,
  clusterOf,
  gitOpsSource,
  publishTo,
  read,
  requestReconcile,
  writeEnvironment,
} from './gitops.js';
import { describeRollouts, fastErrorRate, monitor, prometheusAddress, synthApp } from './rollouts.js';

const ENVIRONMENTS = ['staging', 'prod'] as const;
type Env = (typeof ENVIRONMENTS)[number];

/** Four pods behind an NGINX canary: 25%, 50%, 75%, each for a few seconds, measured throughout. */
function shop(chart: Chart, namespace: string, tag: string): void {
  const service = new WebService(chart, 'web', {
    image: `ghcr.io/acme/web:${tag}`,
    replicas: 4,
    ingress: { host: `${namespace}.example.com`, className: 'nginx' },
    strategy: DeploymentStrategy.custom({
      trafficRouter: TrafficRouter.nginx(),
      steps: [
        RolloutStep.setWeight(25),
        RolloutStep.pause(Duration.seconds(5)),
        RolloutStep.analysis([fastErrorRate()]),
        RolloutStep.setWeight(50),
        RolloutStep.pause(Duration.seconds(5)),
        RolloutStep.setWeight(75),
        RolloutStep.pause(Duration.seconds(5)),
      ],
      analysis: [fastErrorRate()],
      prometheusAddress: prometheusAddress(),
    }),
  });
  monitor(service);
}

/** The environment's objects: its Namespace (restricted) and the shop at `tag`. */
async function objectsOf(namespace: string, tag: string): Promise<Manifest[]> {
  const { objects } = await synthApp(namespace, (chart) => shop(chart, namespace, tag));
  const ns: Manifest = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
  };
  return [ns, ...objects];
}

/** What a reconciliation could change of the live objects: all but their status and bookkeeping. */
async function snapshot(cluster: Cluster, objects: readonly Manifest[]) {
  return Promise.all(
    objects.map(async (object) => {
      const { status: _status, ...live } = (await read(cluster, object)) as Live;
      const { managedFields: _fields, ...metadata } = live.metadata as Record<string, unknown>;
      return { ...live, metadata };
    }),
  );
}

describeRollouts('a new version published to staging under Flux, prod on its own cluster', () => {
  let prodPlane: ControlPlane;
  const suffix = Math.random().toString(16).slice(2, 8);
  const namespaces: Record<Env, string> = { staging: `shop-staging-${suffix}`, prod: `shop-prod-${suffix}` };
  const clusters: Partial<Record<Env, Cluster>> = { staging: clusterOf(process.env[KUBECONFIG_VARIABLE]!) };

  beforeAll(async () => {
    prodPlane = await ControlPlane.start({ nodes: 1 });
    clusters.prod = clusterOf(prodPlane.kubeconfig);
  }, 600_000);

  afterAll(async () => {
    await prodPlane?.stop();
  });

  test('its stepped canary runs to Healthy, the next reconciliations leave the Rollout and its Services as the controller set them, diff sees no drift, prod is untouched', async () => {
    const [staging, prod] = [clusters.staging!, clusters.prod!];
    const repo = `${process.env[GIT_VARIABLE]}/gitops-staging-${suffix}.git`;
    const created = await fetch(`${process.env[GIT_VARIABLE]}/repositories/gitops-staging-${suffix}.git`, {
      method: 'POST',
    });
    expect(created.status).toBe(201);
    const source = await gitOpsSource(
      Object.fromEntries(ENVIRONMENTS.map((env) => [env, { cluster: env, namespace: namespaces[env] }])),
    );
    const gitops = GitOps.flux({
      url: repo,
      interval: Duration.seconds(5),
      retryInterval: Duration.seconds(5),
      timeout: Duration.minutes(3),
    });
    const publish = async (env: Env, tag: string) => {
      const objects = await objectsOf(namespaces[env], tag);
      await writeEnvironment(source, env, objects, gitops);
      return { objects, ...(await publishTo(source, repo, '--env', env)) };
    };

    await publish('staging', '1.0.0');
    const first = await publish('prod', '1.0.0');
    for (const env of ENVIRONMENTS) {
      await bindTo(clusters[env]!, gitops, [
        new Environment({ name: env, folder: `dist/${env}`, applySet: `shop-${env}`, cluster: env }),
      ]);
    }
    await Promise.all(
      ENVIRONMENTS.map((env) => appliedRevision(clusters[env]!, `shop-${env}`, first.revision)),
    );
    const rollout = (cluster: Cluster, env: Env) =>
      read(cluster, {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'web', namespace: namespaces[env] },
      }) as Promise<Live>;
    const stable = (await rollout(staging, 'staging')).status!.currentPodHash as string;
    const prodBefore = await snapshot(prod, first.objects);
    const prodStable = (await rollout(prod, 'prod')).status!.stableRS as string;

    // The new version: Ready at its commit only once the controller took it through every step.
    const second = await publish('staging', '2.0.0');
    await appliedRevision(staging, 'shop-staging', second.revision);
    const healthy = await rollout(staging, 'staging');
    expect(healthy.status).toMatchObject({ phase: 'Healthy', stableRS: healthy.status!.currentPodHash });
    expect(healthy.status!.currentPodHash).not.toBe(stable);
    // Past the last of its 8 steps: the 7 given, then the analysis of the background alarms.
    expect(healthy.status!.currentStepIndex).toBe(8);

    // The controller's choices: both Services select the new version's pods.
    const selector = async (name: string) =>
      (
        await read(staging, {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name, namespace: namespaces.staging },
        })
      )?.spec?.selector as Record<string, string>;
    const selectors = async () => [await selector('web'), await selector('web-canary')];
    expect((await selectors()).map((s) => s['rollouts-pod-template-hash'])).toEqual([
      healthy.status!.stableRS,
      healthy.status!.stableRS,
    ]);
    const before = { selectors: await selectors(), objects: await snapshot(staging, second.objects) };

    // Two more reconciliations, each requested as `flux reconcile` does, change nothing.
    for (let i = 0; i < 2; i += 1) {
      await requestReconcile(staging, 'shop-staging');
    }
    expect(await selectors()).toEqual(before.selectors);
    expect(await snapshot(staging, second.objects)).toEqual(before.objects);
    const after = await rollout(staging, 'staging');
    expect(after.metadata.generation).toBe(healthy.metadata.generation);
    expect(after.status).toMatchObject({
      phase: 'Healthy',
      stableRS: healthy.status!.stableRS,
      currentPodHash: healthy.status!.currentPodHash,
    });

    // Our diff of staging, as a person runs it in the source project: as the engine applies, no drift.
    const diff = (...flags: string[]) =>
      runCollected(
        ['diff', '--env', 'staging', '--kubeconfig', process.env[KUBECONFIG_VARIABLE]!, ...flags],
        {
          cwd: source,
          env: { ...process.env },
        },
      );
    const drift = await diff('--gitops');
    expect(drift.stderr).toBe('');
    expect(drift.stdout).toContain(
      `0 to create, 0 to update, 0 to delete, ${second.objects.length} unchanged`,
    );
    expect(drift.code).toBe(0);
    // Without --gitops, the client would take the engine's objects into its ApplySet: it refuses.
    const taken = await diff();
    expect(taken.code).toBe(1);
    expect(taken.stdout).toContain(
      `conflict: Rollout/${namespaces.staging}/web: it is managed by Flux Kustomization flux-system/shop-staging: publish the change to the GitOps repository instead (cdk8s-devops publish), see its drift with diff --gitops, or rerun with --adopt to take it over`,
    );
    // A version synthesized but not published yet is a difference from what runs.
    await writeEnvironment(source, 'staging', await objectsOf(namespaces.staging, '3.0.0'), gitops);
    const unpublished = await diff('--gitops');
    expect(unpublished.stdout).toContain(`update     Deployment/${namespaces.staging}/web`);
    expect(unpublished.stdout).toMatch(/^\+\s+- image: ghcr\.io\/acme\/web:3\.0\.0$/m);
    expect(unpublished.code).toBe(1);

    // Prod: its engine applied the new commit, in which prod's folder did not change; nothing moved.
    await appliedRevision(prod, 'shop-prod', second.revision);
    expect(await snapshot(prod, first.objects)).toEqual(prodBefore);
    expect((await rollout(prod, 'prod')).status!.stableRS).toBe(prodStable);
  }, 900_000);
});
