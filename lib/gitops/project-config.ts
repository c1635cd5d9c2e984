import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The `cdk8s-devops` key of a project's package.json: where the client's ApplySet is configured, and
 * where the environments an app is synthesized for are declared.
 *
 * ```json
 * "cdk8s-devops": {
 *   "applySet": "shop",
 *   "namespace": "shop",
 *   "environments": {
 *     "dev": { "settings": { "replicas": 1, "imageTag": "1.5.0-rc.1" } },
 *     "prod": { "namespace": "shop-prod", "settings": { "replicas": 3, "imageTag": "1.4.2" } }
 *   }
 * }
 * ```
 */
export interface ProjectConfig {
  /** @default - the package's name */
  readonly applySet?: string;
  /** The namespace of the ApplySet, and of objects that name none. */
  readonly namespace?: string;
  readonly environments?: Readonly<Record<string, EnvironmentDeclaration>>;
}

export interface EnvironmentDeclaration {
  /** @default '<applySet>-<environment>' */
  readonly applySet?: string;
  /** @default - the project's namespace */
  readonly namespace?: string;
  /**
   * The cluster the environment runs in, by a name of your choosing: the GitOps objects of the
   * environments of one cluster are synthesized together into `dist/gitops/<cluster>/`, for the engine
   * that runs in that cluster.
   *
   * @default - the one cluster every environment shares (GitOps objects in `dist/gitops/`)
   */
  readonly cluster?: string;
  /**
   * The kubeconfig context the client (`deploy --env`, `apply --env`, ...) uses for this environment,
   * so that `deploy --env staging --env prod` reaches two clusters at once.
   *
   * @default - the kubeconfig's current context (or `--context`)
   */
  readonly context?: string;
  /**
   * The kubeconfig file of this environment, relative to the project.
   *
   * @default - `--kubeconfig`, else $KUBECONFIG, else ~/.kube/config
   */
  readonly kubeconfig?: string;
  /**
   * Environments of the same cluster that must be reconciled and healthy before this one is applied
   * (the platform, its CRDs): Flux's `dependsOn`, Argo CD's sync waves.
   *
   * @default - none
   */
  readonly dependsOn?: readonly string[];
  /** The environment's own values (replicas, image tags, domains, ...), read by the app. */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** What the client needs to apply one environment. */
export interface EnvironmentTarget {
  readonly name: string;
  /** The folder its manifests are published to, relative to the project (`dist/<name>`). */
  readonly folder: string;
  readonly applySet: string;
  readonly namespace?: string;
  /** The cluster it runs in, if the config names one. */
  readonly cluster?: string;
  /** The kubeconfig context the client uses for it, if the config names one. */
  readonly context?: string;
  /** Its kubeconfig file, relative to the project, if the config names one. */
  readonly kubeconfig?: string;
  /** The environments that come before it. */
  readonly dependsOn?: readonly string[];
}

/** Where a setting is declared, for error messages. */
const KEY = 'package.json "cdk8s-devops"';

export interface LoadedProjectConfig {
  /** The package.json read. */
  readonly file: string;
  /** Its `name`, if it has one. */
  readonly packageName?: string;
  readonly config: ProjectConfig;
}

/**
 * The ApplySet name a package's name gives, when the project names none: a scoped name (`@acme/shop`)
 * names the package, not the app, so its last part does; lowercased, with anything an object name
 * cannot hold turned into '-'.
 */
export function applySetNameOf(packageName: string): string {
  return packageName
    .replace(/^@[^/]+\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-');
}

/** Reads the `cdk8s-devops` key of `<dir>/package.json` (an empty config when the key is absent). */
export function readProjectConfig(dir: string): LoadedProjectConfig {
  const file = join(resolve(dir), 'package.json');
  let pkg: { name?: unknown; 'cdk8s-devops'?: unknown };
  try {
    pkg = JSON.parse(readFileSync(file, 'utf8')) as typeof pkg;
  } catch (error) {
    throw new Error(`${file}: cannot read it (${(error as Error).message})`);
  }
  const config = pkg['cdk8s-devops'] ?? {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new Error(`${file}: "cdk8s-devops" must be an object, got ${JSON.stringify(config)}`);
  }
  const environments = (config as ProjectConfig).environments ?? {};
  if (typeof environments !== 'object' || environments === null || Array.isArray(environments)) {
    throw new Error(
      `${file}: "cdk8s-devops".environments must be an object of environments by name, got ${JSON.stringify(environments)}`,
    );
  }
  for (const name of Object.keys(environments)) {
    checkEnvironmentName(file, name);
  }
  return {
    file,
    ...(typeof pkg.name === 'string' ? { packageName: pkg.name } : {}),
    config: config,
  };
}

/** The environment `name` of the config: its folder, ApplySet and namespace. Unknown names are errors. */
export function resolveEnvironment(loaded: LoadedProjectConfig, name: string): EnvironmentTarget {
  const { config, packageName } = loaded;
  const declared = config.environments ?? {};
  const environment = declared[name];
  if (environment === undefined) {
    const known = Object.keys(declared);
    throw new Error(
      known.length === 0
        ? `unknown environment "${name}": ${KEY} declares no environments. Add "environments": { "${name}": { ... } } to it`
        : `unknown environment "${name}": ${KEY}.environments declares ${known.map((k) => `"${k}"`).join(', ')}. Use one of them, or add "${name}"`,
    );
  }
  const base = config.applySet ?? applySetNameOf(packageName ?? 'app');
  const namespace = environment.namespace ?? config.namespace;
  return {
    name,
    folder: join('dist', name),
    applySet: environment.applySet ?? `${base}-${name}`,
    ...(namespace === undefined ? {} : { namespace }),
    ...(environment.cluster === undefined ? {} : { cluster: checkClusterName(name, environment.cluster) }),
    ...connectionOf(name, environment),
    ...(environment.dependsOn === undefined
      ? {}
      : { dependsOn: checkDependencies(loaded, name, environment.dependsOn) }),
  };
}

function checkClusterName(environment: string, cluster: unknown): string {
  if (typeof cluster !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(cluster)) {
    throw new Error(
      `${KEY}.environments.${environment}.cluster: ${JSON.stringify(cluster)} is not a cluster name; use lowercase letters, digits and '-' (it names the folder dist/gitops/<cluster>)`,
    );
  }
  return cluster;
}

/** The environment's `context` and `kubeconfig`, each a non-empty string when set. */
function connectionOf(
  environment: string,
  declaration: EnvironmentDeclaration,
): Pick<EnvironmentTarget, 'context' | 'kubeconfig'> {
  const connection: { context?: string; kubeconfig?: string } = {};
  for (const key of ['context', 'kubeconfig'] as const) {
    const value: unknown = declaration[key];
    if (value === undefined) {
      continue;
    }
    if (typeof value !== 'string' || value === '') {
      throw new Error(
        `${KEY}.environments.${environment}.${key}: ${JSON.stringify(value)} is not a ${key === 'context' ? 'kubeconfig context name' : 'kubeconfig path'}; set a non-empty string or remove it`,
      );
    }
    connection[key] = value;
  }
  return connection;
}

/** `dependsOn` names declared environments of the same cluster, other than the environment itself. */
function checkDependencies(
  loaded: LoadedProjectConfig,
  environment: string,
  dependsOn: readonly string[],
): readonly string[] {
  const declared = loaded.config.environments ?? {};
  const cluster = declared[environment]?.cluster;
  for (const name of dependsOn) {
    const where = `${KEY}.environments.${environment}.dependsOn`;
    if (name === environment || declared[name] === undefined) {
      throw new Error(
        `${where}: "${name}" is ${name === environment ? 'the environment itself' : 'not a declared environment'}; name environments that must be ready before "${environment}"`,
      );
    }
    if (declared[name].cluster !== cluster) {
      throw new Error(
        `${where}: "${name}" runs in cluster "${declared[name].cluster ?? '(default)'}", "${environment}" in "${cluster ?? '(default)'}"; an engine orders only the environments of its own cluster`,
      );
    }
  }
  return dependsOn;
}

function checkEnvironmentName(file: string, name: string): void {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
    throw new Error(
      `${file}: environment name "${name}" must be a DNS-1123 label (lowercase letters, digits and '-'), since it names a folder and an ApplySet. Rename it`,
    );
  }
}
