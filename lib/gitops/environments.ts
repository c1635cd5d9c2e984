import { join } from 'node:path';
import { DevOpsApp } from '../devops-app.js';
import type { DevOpsAppProps } from '../devops-app.js';
import { Environment } from './environment.js';
import type { GitOps } from './gitops.js';
import type { LoadedProjectConfig } from './project-config.js';
import { readProjectConfig, resolveEnvironment } from './project-config.js';

export interface EnvironmentsOptions {
  /**
   * The settings every environment must have: checked for all environments before anything is built,
   * so one run names every missing setting.
   *
   * @default - none
   */
  readonly required?: readonly string[];
  /**
   * The environments to synthesize, by name.
   *
   * @default - the names in $CDK8S_DEVOPS_ENV (comma-separated), else every declared environment
   */
  readonly only?: readonly string[];
}

export interface EnvironmentsSynthOptions {
  /** GitOps objects (Argo CD, Flux) that point at the environments' folders, published to `dist/gitops`. */
  readonly gitops?: GitOps;
  /** Props for every environment's app (policy rules, ...). */
  readonly appProps?: Omit<DevOpsAppProps, 'folder' | 'publishDir' | 'kustomization'>;
}

/**
 * The environments of package.json's `cdk8s-devops` key: one app description, synthesized once per
 * environment into its own folder (`dist/<name>/`, with a kustomization.yaml), so that a GitOps tool
 * points at one folder per environment and the client applies one (`--env prod`) with its own ApplySet.
 */
export class Environments {
  /** Reads the environments declared in `<dir>/package.json`. */
  public static fromPackageJson(dir = '.', options: EnvironmentsOptions = {}): Environments {
    return new Environments(readProjectConfig(dir), options);
  }

  /** Every declared environment, in declaration order. */
  public readonly all: readonly Environment[];
  /** The environments this run synthesizes (see `only`). */
  public readonly selected: readonly Environment[];

  public constructor(loaded: LoadedProjectConfig, options: EnvironmentsOptions = {}) {
    const declared = loaded.config.environments ?? {};
    this.all = Object.entries(declared).map(
      ([name, declaration]) => new Environment(resolveEnvironment(loaded, name), declaration.settings),
    );
    if (this.all.length === 0) {
      throw new Error(
        'package.json "cdk8s-devops" declares no environments. Add "environments": { "dev": { "settings": { ... } }, "prod": { ... } }',
      );
    }
    const only = options.only ?? splitNames(process.env.CDK8S_DEVOPS_ENV);
    for (const name of only ?? []) {
      resolveEnvironment(loaded, name); // an unknown name is an error naming the known ones
    }
    this.selected = only === undefined ? this.all : this.all.filter((e) => only.includes(e.name));
    const missing = this.all.flatMap((env) =>
      (options.required ?? []).filter((key) => !env.has(key)).map((key) => `${env.name}: "${key}"`),
    );
    if (missing.length > 0) {
      throw new Error(
        `missing required environment settings (package.json "cdk8s-devops".environments.<name>.settings):\n  - ${missing.join('\n  - ')}`,
      );
    }
  }

  /**
   * Builds one app per selected environment with `build`, then synthesizes each into `dist/<name>/`.
   * Every app is built before any is written, so an error in one environment changes no folder.
   */
  public synth(
    build: (app: DevOpsApp, env: Environment) => void,
    options: EnvironmentsSynthOptions = {},
  ): void {
    const apps = this.selected.map((env) => {
      const app = new DevOpsApp({ ...options.appProps, folder: env.name, kustomization: true });
      build(app, env);
      return app;
    });
    const engines = options.gitops ? this.gitOpsApps(options.gitops) : [];
    for (const app of apps) {
      options.gitops?.prepare(app);
      app.synth();
    }
    for (const engine of engines) {
      engine.synth();
    }
  }

  /**
   * The GitOps objects: in `dist/gitops/` for environments that name no cluster, in
   * `dist/gitops/<cluster>/` for each cluster named, for the engine of that cluster.
   */
  private gitOpsApps(gitops: GitOps): DevOpsApp[] {
    // Once one environment names its cluster, the others are in the cluster named "default".
    const named = this.all.some((env) => env.cluster !== undefined);
    const clusters = new Map<string | undefined, Environment[]>();
    for (const env of this.all) {
      const cluster = env.cluster ?? (named ? 'default' : undefined);
      clusters.set(cluster, [...(clusters.get(cluster) ?? []), env]);
    }
    return [...clusters].map(([cluster, environments]) => {
      const app = new DevOpsApp({
        folder: cluster === undefined ? 'gitops' : join('gitops', cluster),
        kustomization: true,
      });
      gitops.bind(app, environments);
      return app;
    });
  }
}

function splitNames(value: string | undefined): string[] | undefined {
  const names = value
    ?.split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  return names && names.length > 0 ? names : undefined;
}
