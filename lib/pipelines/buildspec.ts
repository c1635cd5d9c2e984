/**
 * A CodeBuild buildspec (version 0.2), read from its YAML or given as an object, and reduced to what has a
 * meaning on Kubernetes. Keys without one (an SSM parameter without a mapping, runtime-versions, batch
 * builds, ...) are refused with a message that names the key and says what to do instead.
 */
import jsYaml from 'js-yaml';
import type { BuildEnvValue } from './build-env.js';

export const PHASES = ['install', 'pre_build', 'build', 'post_build'] as const;
export type Phase = (typeof PHASES)[number];

/** What a failing phase does to the rest of the build. */
export type OnFailure = 'ABORT' | 'CONTINUE';

export interface PhaseSpec {
  readonly commands: readonly string[];
  /** @default 'ABORT' */
  readonly onFailure?: OnFailure;
  /** Commands that run after `commands` whether they succeeded or not. */
  readonly finally?: readonly string[];
}

export interface ArtifactsSpec {
  /** Glob patterns, relative to `baseDirectory` (bash globstar: `**` matches folders at any depth). */
  readonly files: readonly string[];
  /** @default - the source folder */
  readonly baseDirectory?: string;
  /** @default 'artifacts' */
  readonly name?: string;
  /** Copies every file to the top of the artifact folder. @default false */
  readonly discardPaths?: boolean;
}

export interface ReportSpec {
  readonly files: readonly string[];
  readonly baseDirectory?: string;
}

export interface BuildSpecProps {
  /** Literal variables (`env.variables`). */
  readonly variables?: Readonly<Record<string, string>>;
  /** Variables from Secrets and ConfigMaps (`env.parameter-store` and `env.secrets-manager`, mapped). */
  readonly env?: Readonly<Record<string, BuildEnvValue>>;
  /** Variables whose final values become Task results (`env.exported-variables`). */
  readonly exportedVariables?: readonly string[];
  readonly phases: Readonly<Partial<Record<Phase, PhaseSpec>>>;
  readonly artifacts?: ArtifactsSpec;
  /** JUnit XML test reports by report group. */
  readonly reports?: Readonly<Record<string, ReportSpec>>;
  /** Paths kept between builds in the cache workspace (`cache.paths`). */
  readonly cachePaths?: readonly string[];
}

export interface FromYamlOptions {
  /** Names the buildspec in error messages. @default 'buildspec' */
  readonly source?: string;
  /** What each `env.parameter-store` parameter name means here, usually a key of a Secret. */
  readonly parameterStore?: Readonly<Record<string, BuildEnvValue>>;
  /** What each `env.secrets-manager` reference (`secret-id:json-key:...`) means here. */
  readonly secretsManager?: Readonly<Record<string, BuildEnvValue>>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Keys of a buildspec that have no Kubernetes meaning, with what to do instead. */
const REFUSED: Readonly<Record<string, string>> = {
  'run-as': 'Builds run as a non-root user under Pod Security "restricted"; remove run-as',
  proxy: 'Set HTTP_PROXY and HTTPS_PROXY in env.variables instead',
  batch: 'Batch builds have no Tekton meaning; make one BuildProject per build, in a ReleasePipeline stage',
  'secondary-artifacts': 'Use one BuildProject per artifact, or one artifacts section',
  'env.git-credential-helper': "Use a GitSource with credentials; the build's git needs no helper",
  'phases.*.runtime-versions':
    'Runtimes come from the phase image: set BuildProjectProps.phaseImages for the phase instead',
  'phases.*.run-as': 'Builds run as a non-root user under Pod Security "restricted"; remove run-as',
  'artifacts.secondary-artifacts': 'Use one BuildProject per artifact, or one artifacts section',
  'artifacts.s3-prefix': 'Artifacts go to the artifacts workspace; remove s3-prefix',
  'artifacts.enable-symlinks': 'Remove enable-symlinks: files are copied with their symlinks kept',
  'cache.key': 'The cache is the PersistentVolumeClaim of the cache workspace; remove cache.key',
  'cache.fallback-keys': 'The cache is the PersistentVolumeClaim of the cache workspace; remove it',
};

const KNOWN: Readonly<Record<string, readonly string[]>> = {
  '': ['version', 'env', 'phases', 'artifacts', 'reports', 'cache'],
  env: ['shell', 'variables', 'parameter-store', 'secrets-manager', 'exported-variables'],
  phases: [...PHASES],
  'phases.*': ['commands', 'on-failure', 'finally'],
  artifacts: ['files', 'base-directory', 'name', 'discard-paths'],
  'reports.*': ['files', 'base-directory', 'file-format', 'discard-paths'],
  cache: ['paths'],
};

export class BuildSpec {
  /** Reads a CodeBuild buildspec file (YAML, version 0.2). */
  public static fromYaml(text: string, options: FromYamlOptions = {}): BuildSpec {
    let parsed: unknown;
    try {
      parsed = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
    } catch (error) {
      if (!(error instanceof jsYaml.YAMLException)) {
        throw error;
      }
      const where = `line ${error.mark.line + 1}, column ${error.mark.column + 1}`;
      throw new Error(
        `${options.source ?? 'buildspec'}: not valid YAML (${where}: ${error.reason}). Fix the YAML syntax`,
      );
    }
    return BuildSpec.fromObject(parsed, options);
  }

  /** Reads a CodeBuild buildspec given as an object, as a YAML reader returns it. */
  public static fromObject(object: unknown, options: FromYamlOptions = {}): BuildSpec {
    return new BuildSpec(new BuildSpecReader(options).read(object));
  }

  public constructor(public readonly props: BuildSpecProps) {
    for (const name of [
      ...Object.keys(props.variables ?? {}),
      ...Object.keys(props.env ?? {}),
      ...(props.exportedVariables ?? []),
    ]) {
      if (!ENV_NAME.test(name)) {
        throw new Error(
          `buildspec: ${JSON.stringify(name)} is not a valid environment variable name. Use letters, digits and '_', not starting with a digit`,
        );
      }
    }
  }

  /** The phases the buildspec has, in the order they run. */
  public get phases(): readonly (readonly [Phase, PhaseSpec])[] {
    return PHASES.flatMap((p) => (this.props.phases[p] ? [[p, this.props.phases[p]] as const] : []));
  }
}

class BuildSpecReader {
  private readonly source: string;

  public constructor(private readonly options: FromYamlOptions) {
    this.source = options.source ?? 'buildspec';
  }

  public read(object: unknown): BuildSpecProps {
    const root = this.map(object, '');
    this.checkKeys(root, '');
    if (String(root.version) !== '0.2') {
      this.fail(
        'version',
        `is ${JSON.stringify(root.version ?? null)}, but only version 0.2 is supported`,
        'Set version: 0.2 (version 0.1 ran each command in its own shell; 0.2 keeps one shell per phase step)',
      );
    }
    const env = root.env === undefined ? {} : this.map(root.env, 'env');
    this.checkKeys(env, 'env');
    if (env.shell !== undefined && env.shell !== 'bash') {
      this.fail(
        'env.shell',
        `is ${JSON.stringify(env.shell)}, but build steps run bash`,
        'Remove env.shell or set it to bash (every build image needs bash)',
      );
    }
    const variables = Object.fromEntries(
      Object.entries(env.variables === undefined ? {} : this.map(env.variables, 'env.variables')).map(
        ([k, v]) => [k, this.scalar(v, `env.variables.${k}`)],
      ),
    );
    const mapped = {
      ...this.mapped(
        env['parameter-store'],
        'env.parameter-store',
        this.options.parameterStore,
        'parameterStore',
      ),
      ...this.mapped(
        env['secrets-manager'],
        'env.secrets-manager',
        this.options.secretsManager,
        'secretsManager',
      ),
    };
    const phasesObject = root.phases === undefined ? {} : this.map(root.phases, 'phases');
    this.checkKeys(phasesObject, 'phases');
    const phases: Partial<Record<Phase, PhaseSpec>> = {};
    for (const phase of PHASES) {
      if (phasesObject[phase] !== undefined && phasesObject[phase] !== null) {
        phases[phase] = this.phase(phasesObject[phase], `phases.${phase}`);
      }
    }
    if (Object.keys(phases).length === 0) {
      this.fail('phases', 'has no phase with commands', 'Add at least phases.build.commands');
    }
    const props: BuildSpecProps = {
      variables,
      env: mapped,
      exportedVariables: this.strings(env['exported-variables'], 'env.exported-variables'),
      phases,
      artifacts: root.artifacts === undefined ? undefined : this.artifacts(root.artifacts),
      reports: root.reports === undefined ? undefined : this.reports(root.reports),
      cachePaths:
        root.cache === undefined
          ? undefined
          : this.strings(this.checkKeys(this.map(root.cache, 'cache'), 'cache').paths, 'cache.paths'),
    };
    return props;
  }

  private phase(value: unknown, key: string): PhaseSpec {
    const phase = this.checkKeys(this.map(value, key), key, 'phases.*');
    const onFailure = phase['on-failure'] ?? 'ABORT';
    if (onFailure !== 'ABORT' && onFailure !== 'CONTINUE') {
      this.fail(`${key}.on-failure`, `is ${JSON.stringify(onFailure)}`, 'Use ABORT or CONTINUE');
    }
    const commands = this.strings(phase.commands, `${key}.commands`);
    if (commands.length === 0) {
      this.fail(
        `${key}.commands`,
        'is missing or empty',
        `Give ${key} at least one command, or remove the phase`,
      );
    }
    const fin = this.strings(phase.finally, `${key}.finally`);
    return { commands, onFailure: onFailure, ...(fin.length > 0 ? { finally: fin } : {}) };
  }

  private artifacts(value: unknown): ArtifactsSpec {
    const a = this.checkKeys(this.map(value, 'artifacts'), 'artifacts');
    const files = this.strings(a.files, 'artifacts.files');
    if (files.length === 0) {
      this.fail('artifacts.files', 'is missing or empty', 'List the files to keep, for example "**/*"');
    }
    return {
      files,
      ...(a['base-directory'] !== undefined
        ? { baseDirectory: this.scalar(a['base-directory'], 'artifacts.base-directory') }
        : {}),
      ...(a.name !== undefined ? { name: this.scalar(a.name, 'artifacts.name') } : {}),
      ...(a['discard-paths'] !== undefined
        ? { discardPaths: this.yes(a['discard-paths'], 'artifacts.discard-paths') }
        : {}),
    };
  }

  private reports(value: unknown): Record<string, ReportSpec> {
    const reports: Record<string, ReportSpec> = {};
    for (const [group, spec] of Object.entries(this.map(value, 'reports'))) {
      const key = `reports.${group}`;
      const r = this.checkKeys(this.map(spec, key), key, 'reports.*');
      const format = r['file-format'] ?? 'JUNITXML';
      if (format !== 'JUNITXML') {
        this.fail(
          `${key}.file-format`,
          `is ${JSON.stringify(format)}, but only JUNITXML reports are collected`,
          'Have the test runner write JUnit XML and set file-format: JUNITXML',
        );
      }
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(group)) {
        this.fail(
          key,
          'names a report group that is not a DNS-1123 label (it becomes a Task result name)',
          'Rename the group, for example to "unit-tests"',
        );
      }
      reports[group] = {
        files: this.strings(r.files, `${key}.files`),
        ...(r['base-directory'] !== undefined
          ? { baseDirectory: this.scalar(r['base-directory'], `${key}.base-directory`) }
          : {}),
      };
    }
    return reports;
  }

  private mapped(
    value: unknown,
    key: string,
    mapping: Readonly<Record<string, BuildEnvValue>> | undefined,
    option: string,
  ): Record<string, BuildEnvValue> {
    if (value === undefined) {
      return {};
    }
    const result: Record<string, BuildEnvValue> = {};
    for (const [name, reference] of Object.entries(this.map(value, key))) {
      const ref = this.scalar(reference, `${key}.${name}`);
      const target = mapping?.[ref];
      if (!target) {
        this.fail(
          `${key}.${name}`,
          `refers to ${JSON.stringify(ref)}, which has no Kubernetes meaning without a mapping`,
          `Map it: BuildSpec.fromYaml(text, { ${option}: { ${JSON.stringify(ref)}: BuildEnvValue.fromSecret('secret-name', 'key') } })`,
        );
      }
      result[name] = target;
    }
    return result;
  }

  /** Refuses keys with no Kubernetes meaning (with their replacement) and keys a buildspec does not have. */
  private checkKeys(object: Record<string, unknown>, key: string, pattern = key): Record<string, unknown> {
    for (const name of Object.keys(object)) {
      const full = key ? `${key}.${name}` : name;
      const refusal = REFUSED[full] ?? REFUSED[pattern ? `${pattern}.${name}` : name];
      if (refusal) {
        this.fail(full, 'has no Kubernetes meaning', refusal);
      }
      const known = KNOWN[pattern];
      if (known && !known.includes(name)) {
        this.fail(full, 'is not a buildspec 0.2 key', `Use one of: ${known.join(', ')}`);
      }
    }
    return object;
  }

  private map(value: unknown, key: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(
        key || '(root)',
        `must be a mapping, got ${JSON.stringify(value ?? null)}`,
        'Write it as key: value lines',
      );
    }
    return value as Record<string, unknown>;
  }

  /** A list; a single scalar counts as a list of one, as CodeBuild reads `files: imagedefinitions.json`. */
  private strings(value: unknown, key: string): string[] {
    if (value === undefined || value === null) {
      return [];
    }
    if (!Array.isArray(value)) {
      return [this.scalar(value, key)];
    }
    return value.map((v, i) => this.scalar(v, `${key}[${i}]`));
  }

  private scalar(value: unknown, key: string): string {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return String(value);
    }
    return this.fail(key, `must be a string, got ${JSON.stringify(value ?? null)}`, 'Quote the value');
  }

  private yes(value: unknown, key: string): boolean {
    if (value === true || value === 'yes') {
      return true;
    }
    if (value === false || value === 'no') {
      return false;
    }
    return this.fail(key, `must be yes or no, got ${JSON.stringify(value)}`, 'Use yes or no');
  }

  private fail(key: string, problem: string, fix: string): never {
    throw new Error(`${this.source}: ${key} ${problem}. ${fix}`);
  }
}
