import { ApiObject, Chart, Duration } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Environment } from './environments.js';

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

  /** Adds the tool's objects for `environments` to `scope`. */
  public abstract bind(scope: Construct, environments: readonly Environment[]): void;
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
      const name = commonPrefix(environments.map((e) => e.applySet));
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
        metadata: { name: env.applySet },
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
        syncOptions: ['ServerSideApply=true'],
      },
    };
  }
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
    const sourceName = this.props.sourceName ?? commonPrefix(environments.map((e) => e.applySet));
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
          path: `./${this.props.path ?? 'dist'}/${env.name}`,
          prune: true,
          wait: true,
          sourceRef: { kind: 'GitRepository', name: sourceName },
        },
      });
    }
  }
}

function requireValue(factory: string, prop: string, value: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(
      `${factory}: ${prop} is required (the Git repository the environment folders are pushed to)`,
    );
  }
}

/** `shop-dev`, `shop-prod` -> `shop`: what the environments' names share, without a trailing '-'. */
function commonPrefix(names: readonly string[]): string {
  let prefix = names[0] ?? 'app';
  for (const name of names) {
    while (!name.startsWith(prefix)) {
      prefix = prefix.slice(0, -1);
    }
  }
  return prefix.replace(/-+$/, '') || 'environments';
}

/** Flux durations are Go durations: `5m0s` is written `5m`. */
function fluxDuration(duration: Duration): string {
  const seconds = duration.toSeconds();
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}
