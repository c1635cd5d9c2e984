import type { EnvironmentTarget } from './project-config.js';

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
