import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { TaskV1Spec, TaskV1SpecSteps } from '../../imports/tekton.dev.js';
import { TaskV1 } from '../../imports/tekton.dev.js';
import { checkImage } from '../core/image.js';
import { checkDnsLabel } from '../core/names.js';
import { invalid, show } from '../core/errors.js';
import * as plus from '../core/plus.js';
import type { BuildEnvValue, EnvVarJson } from './build-env.js';
import type { Phase } from './buildspec.js';
import { BuildSpec } from './buildspec.js';
import type { ScriptPaths } from './build-script.js';
import { finishScript, phaseScript, reportResultName } from './build-script.js';
import type { PackageMirror } from './package-mirror.js';
import type { StepResources } from './task.js';
import { RESTRICTED_STEP_SECURITY, WRITABLE_HOME, stepResources, taskInterface } from './task.js';
import type { TaskShape } from './task-base.js';
import { TaskBase } from './task-base.js';

export interface BuildProjectProps {
  /** What to run: `BuildSpec.fromYaml(readFileSync('buildspec.yml', 'utf8'))` or `new BuildSpec({...})`. */
  readonly buildSpec: BuildSpec;
  /** The image every phase runs in, unless `phaseImages` names another; it needs bash. */
  readonly image: string;
  /** A different image for some phases, as CodeBuild's runtime-versions would pick one. */
  readonly phaseImages?: Partial<Record<Phase, string>>;
  /** More environment variables, beside the buildspec's own. */
  readonly env?: Readonly<Record<string, BuildEnvValue>>;
  /** npm, pip and Maven through a registry mirror. */
  readonly packageMirror?: PackageMirror;
  /** @default - 250m/512Mi requested, 2 CPUs and 2Gi at most, per step */
  readonly resources?: StepResources;
  /**
   * The size of the cache's PersistentVolumeClaim, when the buildspec has cache paths.
   *
   * @default '5Gi'
   */
  readonly cacheSize?: string;
  /**
   * The Task's name.
   *
   * @default - the construct id
   */
  readonly taskName?: string;
}

/** The workspaces a BuildProject's Task declares. */
export const BUILD_WORKSPACES = { source: 'source', cache: 'cache', artifacts: 'artifacts' } as const;

/** The emptyDir that carries the build's state between its steps. */
const STATE_DIR = '/build-state';

/** The paths the generated scripts use inside a Tekton Task. */
export function taskScriptPaths(cache: boolean, artifacts: boolean): ScriptPaths {
  return {
    state: STATE_DIR,
    source: `$(workspaces.${BUILD_WORKSPACES.source}.path)`,
    ...(cache ? { cache: `$(workspaces.${BUILD_WORKSPACES.cache}.path)` } : {}),
    ...(artifacts ? { artifacts: `$(workspaces.${BUILD_WORKSPACES.artifacts}.path)` } : {}),
    result: (name) => `$(results.${name}.path)`,
  };
}

/**
 * A CodeBuild project as a Tekton Task: one step per buildspec phase (each in its own image if asked),
 * then a `finish` step for reports, exported variables (Task results), the cache and artifacts. It runs
 * as its own ServiceAccount, which gets no API token and no permission, under Pod Security "restricted".
 *
 * Workspaces: `source` (the checked-out code), `cache` when the buildspec has cache paths (bind a
 * PersistentVolumeClaim: `cacheClaim`), `artifacts` when it has artifacts or reports.
 * Param `source-version` (default empty) becomes CODEBUILD_RESOLVED_SOURCE_VERSION.
 */
export class BuildProject extends TaskBase {
  public readonly serviceAccount: plus.ServiceAccount;
  public readonly task: TaskV1;
  /** The generated script of every step, by step name, in the order they run. */
  public readonly scripts: ReadonlyMap<string, string>;
  /** The claim of the cache workspace, when the buildspec has cache paths. */
  public readonly cacheClaim?: plus.k8s.KubePersistentVolumeClaim;

  public constructor(scope: Construct, id: string, props: BuildProjectProps) {
    super(scope, id);
    const build = this.resolve(id, props);
    this.declareTask(taskShape(build));
    this.scripts = buildScripts(build);
    this.serviceAccount = new plus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.serviceAccountName },
      automountToken: false,
    });
    this.task = new TaskV1(this, 'Resource', {
      metadata: { name: this.taskName },
      spec: this.taskSpec(build, props),
    });
    if (build.cachePaths.length > 0) {
      this.cacheClaim = new plus.k8s.KubePersistentVolumeClaim(this, 'Cache', {
        metadata: { name: build.cacheClaimName },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: plus.k8s.Quantity.fromString(props.cacheSize ?? '5Gi') } },
        },
      });
    }
  }

  /** The props, checked, and what the Task is made of. */
  private resolve(id: string, props: BuildProjectProps): ResolvedBuild {
    if (!(props.buildSpec instanceof BuildSpec)) {
      invalid(this, 'buildSpec must be a BuildSpec', 'Use BuildSpec.fromYaml(text) or new BuildSpec({...})');
    }
    const taskName = checkDnsLabel(this, 'taskName', props.taskName ?? id);
    const spec = props.buildSpec.props;
    const phases = props.buildSpec.phases;
    const images = Object.fromEntries(
      phases.map(([phase]) => [phase, checkImage(this, props.phaseImages?.[phase] ?? props.image, false)]),
    ) as Record<Phase, string>;
    for (const phase of Object.keys(props.phaseImages ?? {})) {
      if (!spec.phases[phase as Phase]) {
        invalid(
          this,
          `phaseImages names phase ${show(phase)}, which the buildspec does not have`,
          `Use one of: ${phases.map(([p]) => p).join(', ')}`,
        );
      }
    }
    const reports = spec.reports ?? {};
    const results = [...(spec.exportedVariables ?? []), ...Object.keys(reports).map(reportResultName)];
    for (const result of results) {
      if (!/^[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]$/.test(result) && !/^[A-Za-z0-9]$/.test(result)) {
        invalid(
          this,
          `exported variable ${show(result)} cannot be a Task result name`,
          'Name it with letters, digits and "_", not ending in "_"',
        );
      }
    }
    if (!Chart.of(this).namespace) {
      invalid(this, 'a BuildProject needs its chart to have a namespace', 'Give the chart a namespace');
    }
    const cachePaths = spec.cachePaths ?? [];
    const hasArtifacts = spec.artifacts !== undefined || Object.keys(reports).length > 0;
    const paths = taskScriptPaths(cachePaths.length > 0, hasArtifacts);
    const cacheClaimName = `${taskName}-cache`;
    return {
      taskName,
      spec,
      phases,
      images,
      results,
      reports,
      cachePaths,
      hasArtifacts,
      paths,
      cacheClaimName,
    };
  }

  /** The Task's spec: a step per phase, each continuing on error, then `finish`. */
  private taskSpec(build: ResolvedBuild, props: BuildProjectProps): TaskV1Spec {
    const { spec, phases, images, paths } = build;
    const env: EnvVarJson[] = [
      ...WRITABLE_HOME.env,
      { name: 'CODEBUILD_RESOLVED_SOURCE_VERSION', value: '$(params.source-version)' },
      ...Object.entries(spec.variables ?? {}).map(([name, value]) => ({ name, value })),
      ...Object.entries({ ...spec.env, ...props.env }).map(([name, value]) => value.toEnvVar(name)),
      ...(props.packageMirror?.env ?? []),
    ];
    const mounts = [
      { name: 'build-state', mountPath: STATE_DIR },
      ...WRITABLE_HOME.mounts,
      ...(props.packageMirror?.volumeMounts ?? []),
    ];
    const step = (name: string, image: string, onError?: string): TaskV1SpecSteps => ({
      name,
      image,
      script: this.scripts.get(name)!,
      ...(onError ? { onError } : {}),
      workingDir: paths.source,
      env: env,
      volumeMounts: mounts,
      securityContext: RESTRICTED_STEP_SECURITY as unknown as TaskV1SpecSteps['securityContext'],
      computeResources: stepResources(props.resources),
    });
    return {
      description: `Build project ${this.taskName}: ${phases.map(([p]) => p).join(', ')}`,
      ...taskInterface(this),
      volumes: [
        { name: 'build-state', emptyDir: {} },
        ...WRITABLE_HOME.volumes,
        ...(props.packageMirror?.volumes ?? []),
      ],
      steps: [
        // Every phase continues on error so that later phases and the finish step decide, as CodeBuild
        // does; the failed step still shows its own exit code.
        ...phases.map(([phase]) => step(stepName(phase), images[phase], 'continue')),
        step('finish', images[phases[phases.length - 1][0]]),
      ],
    };
  }
}

/** A BuildProject's props, checked, with what its Task is made of. */
interface ResolvedBuild {
  readonly taskName: string;
  readonly spec: BuildSpec['props'];
  readonly phases: BuildSpec['phases'];
  readonly images: Readonly<Record<Phase, string>>;
  readonly results: readonly string[];
  readonly reports: NonNullable<BuildSpec['props']['reports']>;
  readonly cachePaths: readonly string[];
  readonly hasArtifacts: boolean;
  readonly paths: ScriptPaths;
  readonly cacheClaimName: string;
}

/** The Task as a pipeline sees it: `source`, then `cache` and `artifacts` when the build has them. */
function taskShape(build: ResolvedBuild): TaskShape {
  const { taskName, cachePaths, hasArtifacts } = build;
  return {
    taskName,
    serviceAccountName: `${taskName}-build`,
    params: [{ name: 'source-version', description: 'The commit being built', default: '' }],
    results: build.results,
    workspaces: [
      { name: BUILD_WORKSPACES.source, description: 'The source to build' },
      ...(cachePaths.length > 0
        ? [{ name: BUILD_WORKSPACES.cache, description: `Kept between builds: ${cachePaths.join(', ')}` }]
        : []),
      ...(hasArtifacts
        ? [{ name: BUILD_WORKSPACES.artifacts, description: 'Artifacts and test reports' }]
        : []),
    ],
    workspaceBackings:
      cachePaths.length > 0
        ? { [BUILD_WORKSPACES.cache]: { persistentVolumeClaim: build.cacheClaimName } }
        : {},
  };
}

/** The script of every step, by step name: the phases (the first restores the cache), then `finish`. */
function buildScripts(build: ResolvedBuild): Map<string, string> {
  const { spec, paths, cachePaths } = build;
  const scripts = new Map<string, string>();
  build.phases.forEach(([phase, phaseSpec], i) =>
    scripts.set(
      stepName(phase),
      phaseScript(paths, phase, phaseSpec, { restoreCache: i === 0 ? cachePaths : [] }),
    ),
  );
  scripts.set(
    'finish',
    finishScript(paths, {
      exportedVariables: spec.exportedVariables ?? [],
      artifacts: spec.artifacts,
      reports: build.reports,
      cachePaths,
    }),
  );
  return scripts;
}

/** Step names are DNS labels: pre_build runs as step "pre-build". */
export function stepName(phase: Phase): string {
  return phase.replace('_', '-');
}
