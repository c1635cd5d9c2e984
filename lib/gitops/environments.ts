import { join } from 'node:path';
import { DevOpsApp } from '../devops-app.js';
import type { DevOpsAppProps } from '../devops-app.js';
import type { GitOps } from './gitops.js';
import type { EnvironmentTarget, LoadedProjectConfig } from './project-config.js';
import { readProjectConfig, resolveEnvironment } from './project-config.js';

/** One environment an app is synthesized for, with its settings. */
export class Environment {
  public readonly name: string;
  /** The folder its manifests are published to, relative to the project (`dist/<name>`). */
  public readonly folder: string;
  public readonly applySet: string;
  public readonly namespace?: string;
  /** The cluster it runs in, if the project names one. */
  public readonly cluster?: string;
  /** The environments reconciled before it. */
  public readonly dependsOn: readonly string[];
  private readonly settings: Readonly<Record<string, unknown>>;

  public constructor(target: EnvironmentTarget, settings: Readonly<Record<string, unknown>> = {}) {
    this.name = target.name;
    this.folder = target.folder;
    this.applySet = target.applySet;
    if (target.namespace !== undefined) {
      this.namespace = target.namespace;
    }
    if (target.cluster !== undefined) {
      this.cluster = target.cluster;
    }
    this.dependsOn = target.dependsOn ?? [];
    this.settings = settings;
  }

  /** A string setting; without a default, a missing one is an error that says where to add it. */
  public string(key: string, defaultValue?: string): string {
    return this.setting(key, 'string', defaultValue);
  }

  /** A number setting; without a default, a missing one is an error that says where to add it. */
  public number(key: string, defaultValue?: number): number {
    return this.setting(key, 'number', defaultValue);
  }

  /** A boolean setting; without a default, a missing one is an error that says where to add it. */
  public boolean(key: string, defaultValue?: boolean): boolean {
    return this.setting(key, 'boolean', defaultValue);
  }

  /** A string setting that must be one of `choices` (a strategy name, a tier, ...). */
  public oneOf<T extends string>(key: string, choices: readonly T[], defaultValue?: T): T {
    const value = this.string(key, defaultValue);
    if (!(choices as readonly string[]).includes(value)) {
      throw new Error(
        `environment "${this.name}": the setting "${key}" must be one of ${choices.map((c) => `"${c}"`).join(', ')}, got "${value}". Fix it in ${this.where}`,
      );
    }
    return value as T;
  }

  /** Whether the environment sets `key`. */
  public has(key: string): boolean {
    return this.settings[key] !== undefined;
  }

  private setting<T>(key: string, type: 'string' | 'number' | 'boolean', defaultValue: T | undefined): T {
    const value = this.settings[key];
    if (value === undefined) {
      if (defaultValue !== undefined) {
        return defaultValue;
      }
      throw new Error(
        `environment "${this.name}": the setting "${key}" is missing. Add "${key}": <${type}> to ${this.where}`,
      );
    }
    if (typeof value !== type) {
      throw new Error(
        `environment "${this.name}": the setting "${key}" must be a ${type}, got ${JSON.stringify(value)}. Fix it in ${this.where}`,
      );
    }
    return value as T;
  }

  private get where(): string {
    return `package.json "cdk8s-devops".environments.${this.name}.settings`;
  }
}

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
