import { ApiObject, Chart, Duration } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Environment } from './environment.js';
import {
  ARGO_CD_IGNORE_DIFFERENCES,
  FLUX_HEALTH_CHECK_EXPRS,
  leaveSwitchedServicesToArgoRollouts,
} from './engine-fields.js';

/**
 * A GitOps tool's objects that point at the environments' folders: applied once to the cluster that runs
 * the tool, they make it sync each folder. Built in: `GitOps.argoCd()` and `GitOps.flux()`; a class of
 * your own with a `bind` serves any other tool.
 */
export abstract class GitOps {
  /** An Argo CD Application per environment, or one ApplicationSet for all of them. */
  public static argoCd(props: ArgoCdProps): GitOps {
    return new ArgoCd(props);
  }

  /** A Flux GitRepository and a Flux Kustomization per environment. */
  public static flux(props: FluxProps): GitOps {
    return new Flux(props);
  }

  /** Adds the tool's objects for `environments` (of one cluster) to `scope`. */
  public abstract bind(scope: Construct, environments: readonly Environment[]): void;

  /** Adjusts an environment's app before it is synthesized, for what the tool needs in the manifests. */
  public prepare(_app: Construct): void {}
}

export interface ArgoCdProps {
  /** The Git repository that holds the synthesized folders. */
  readonly repoURL: string;
  /** @default 'HEAD' */
  readonly targetRevision?: string;
  /** The folder in the repository that holds the environment folders. @default 'dist' */
  readonly path?: string;
  /** @default 'default' */
  readonly project?: string;
  /** Argo CD's own namespace, where Applications live. @default 'argocd' */
  readonly namespace?: string;
  /** The cluster to deploy to. @default 'https://kubernetes.default.svc' (Argo CD's own cluster) */
  readonly destinationServer?: string;
  /** One ApplicationSet (list generator) instead of one Application per environment. @default false */
  readonly applicationSet?: boolean;
  /**
   * Sync automatically, pruning what left the folder (never on an empty folder) and undoing drift.
   * `false` leaves syncs to a person.
   *
   * @default true
   */
  readonly automated?: boolean;
}

const ARGO_CD_API_VERSION = 'argoproj.io/v1alpha1';

class ArgoCd extends GitOps {
  public constructor(private readonly props: ArgoCdProps) {
    super();
    requireValue('GitOps.argoCd', 'repoURL', props.repoURL);
  }

  public bind(scope: Construct, environments: readonly Environment[]): void {
    const chart = new Chart(scope, 'argo-cd', { namespace: this.props.namespace ?? 'argocd' });
    if (this.props.applicationSet) {
      const name = commonPrefix(environments);
      new ApiObject(chart, 'application-set', {
        apiVersion: ARGO_CD_API_VERSION,
        kind: 'ApplicationSet',
        metadata: { name },
        spec: {
          goTemplate: true,
          goTemplateOptions: ['missingkey=error'],
          generators: [
            {
              list: {
                elements: environments.map((env) => ({
                  name: env.applySet,
                  path: this.pathOf(env),
                  namespace: env.namespace ?? '',
                })),
              },
            },
          ],
          template: {
            metadata: { name: '{{.name}}' },
            spec: this.applicationSpec('{{.path}}', '{{.namespace}}'),
          },
        },
      });
      return;
    }
    for (const env of environments) {
      new ApiObject(chart, env.name, {
        apiVersion: ARGO_CD_API_VERSION,
        kind: 'Application',
        metadata: {
          name: env.applySet,
          // The environments it depends on sync in earlier waves (of an app of apps).
          annotations: { 'argocd.argoproj.io/sync-wave': String(waveOf(env, environments)) },
        },
        spec: this.applicationSpec(this.pathOf(env), env.namespace),
      });
    }
  }

  private pathOf(env: Environment): string {
    return `${this.props.path ?? 'dist'}/${env.name}`;
  }

  private applicationSpec(path: string, namespace: string | undefined): Record<string, unknown> {
    return {
      project: this.props.project ?? 'default',
      source: { repoURL: this.props.repoURL, targetRevision: this.props.targetRevision ?? 'HEAD', path },
      destination: {
        server: this.props.destinationServer ?? 'https://kubernetes.default.svc',
        ...(namespace === undefined ? {} : { namespace }),
      },
      syncPolicy: {
        ...(this.props.automated === false
          ? {}
          : { automated: { prune: true, selfHeal: true, allowEmpty: false } }),
        syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'],
      },
      ignoreDifferences: ARGO_CD_IGNORE_DIFFERENCES,
    };
  }
}

/** An environment's sync wave: one more than the latest of the environments it depends on. */
function waveOf(env: Environment, environments: readonly Environment[], seen: string[] = []): number {
  if (seen.includes(env.name)) {
    throw new Error(
      `package.json "cdk8s-devops": environments depend on each other in a cycle: ${[...seen, env.name].join(' -> ')}`,
    );
  }
  const waves = env.dependsOn.map((name) => {
    const dependency = environments.find((e) => e.name === name);
    return dependency ? waveOf(dependency, environments, [...seen, env.name]) + 1 : 0;
  });
  return Math.max(0, ...waves);
}

export interface FluxProps {
  /** The Git repository that holds the synthesized folders. */
  readonly url: string;
  /** @default 'main' */
  readonly branch?: string;
  /** The folder in the repository that holds the environment folders. @default 'dist' */
  readonly path?: string;
  /** Flux's namespace, where its objects live. @default 'flux-system' */
  readonly namespace?: string;
  /** How often the repository is fetched and each folder reconciled. @default Duration.minutes(5) */
  readonly interval?: Duration;
  /** How soon a failed reconciliation is retried. @default Duration.minutes(1) */
  readonly retryInterval?: Duration;
  /** How long an apply and its health checks may take before the reconciliation fails. @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /** Environments whose reconciliation is suspended: Flux leaves them as they are. @default - none */
  readonly suspend?: readonly string[];
  /** The GitRepository's name. @default - the environments' common ApplySet prefix */
  readonly sourceName?: string;
}

class Flux extends GitOps {
  public constructor(private readonly props: FluxProps) {
    super();
    requireValue('GitOps.flux', 'url', props.url);
  }

  public bind(scope: Construct, environments: readonly Environment[]): void {
    const chart = new Chart(scope, 'flux', { namespace: this.props.namespace ?? 'flux-system' });
    const interval = fluxDuration(this.props.interval ?? Duration.minutes(5));
    const sourceName = this.props.sourceName ?? commonPrefix(environments);
    new ApiObject(chart, 'source', {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: sourceName },
      spec: { url: this.props.url, ref: { branch: this.props.branch ?? 'main' }, interval },
    });
    for (const env of environments) {
      new ApiObject(chart, env.name, {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: env.applySet },
        spec: {
          interval,
          retryInterval: fluxDuration(this.props.retryInterval ?? Duration.minutes(1)),
          timeout: fluxDuration(this.props.timeout ?? Duration.minutes(5)),
          path: `./${this.props.path ?? 'dist'}/${env.name}`,
          prune: true,
          wait: true,
          healthCheckExprs: FLUX_HEALTH_CHECK_EXPRS,
          sourceRef: { kind: 'GitRepository', name: sourceName },
          ...(env.dependsOn.length > 0
            ? { dependsOn: env.dependsOn.map((name) => ({ name: applySetOf(name, environments) })) }
            : {}),
          ...(this.props.suspend?.includes(env.name) ? { suspend: true } : {}),
        },
      });
    }
  }

  public override prepare(app: Construct): void {
    leaveSwitchedServicesToArgoRollouts(app);
  }
}

function applySetOf(name: string, environments: readonly Environment[]): string {
  const env = environments.find((e) => e.name === name);
  if (!env) {
    throw new Error(`environment "${name}" is not one of this cluster's environments`);
  }
  return env.applySet;
}

function requireValue(factory: string, prop: string, value: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(
      `${factory}: ${prop} is required (the Git repository the environment folders are pushed to)`,
    );
  }
}

/**
 * `shop-dev`, `shop-prod` -> `shop`: what the environments' ApplySets share, in whole `-` segments, once
 * each has lost its environment's name; the same for the environments of every cluster.
 */
function commonPrefix(environments: readonly Environment[]): string {
  const bases = environments.map((e) =>
    (e.applySet.endsWith(`-${e.name}`) ? e.applySet.slice(0, -e.name.length - 1) : e.applySet).split('-'),
  );
  let prefix = bases[0] ?? ['app'];
  for (const base of bases) {
    const mismatch = prefix.findIndex((part, i) => base[i] !== part);
    if (mismatch >= 0) {
      prefix = prefix.slice(0, mismatch);
    }
  }
  return prefix.join('-') || 'environments';
}

/** Flux durations are Go durations: `5m0s` is written `5m`. */
function fluxDuration(duration: Duration): string {
  const seconds = duration.toSeconds();
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}
