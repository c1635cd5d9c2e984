import { Construct } from 'constructs';
import { checkImage } from '../core/image.js';
import * as plus from '../core/plus.js';
import type { BuildEnvValue } from './build-env.js';
import type { Phase } from './buildspec.js';
import { BuildSpec } from './buildspec.js';
import type { ScriptPaths } from './build-script.js';
import { finishScript, phaseScript } from './build-script.js';
import { stepName } from './build-project.js';
import type { GitCredentials } from './git-source.js';
import { cloneScript, GitSource } from './git-source.js';
import type { PackageMirror } from './package-mirror.js';
import { invalid } from '../core/errors.js';
import type { StepResources } from './task.js';
import { NON_ROOT_ID, RESTRICTED_STEP_SECURITY, WRITABLE_HOME } from './task.js';

export interface BuildJobProps {
  readonly buildSpec: BuildSpec;
  readonly image: string;
  readonly phaseImages?: Partial<Record<Phase, string>>;
  readonly env?: Readonly<Record<string, BuildEnvValue>>;
  /** The repository to build; without it, the source folder starts empty. */
  readonly source?: {
    readonly url: string;
    readonly revision?: string;
    readonly credentials?: GitCredentials;
  };
  readonly packageMirror?: PackageMirror;
  readonly resources?: StepResources;
  /** @default 3600 */
  readonly activeDeadlineSeconds?: number;
}

const FOLDERS = {
  state: '/build-state',
  source: '/workspace/source',
  artifacts: '/workspace/artifacts',
} as const;

/**
 * A build project for clusters without Tekton: a batch/v1 Job whose init containers fetch the source and
 * run the buildspec's phases in order (each in its own image), with the same generated scripts as a
 * BuildProject. Init containers cannot continue after a failure, so each phase exits 0 and leaves its
 * outcome to the last container, `finish`, which fails the Job when a phase failed. Results are written
 * to `/build-state/results` and printed. Pod Security "restricted", no API token.
 */
export class BuildJob extends Construct {
  public readonly job: plus.k8s.KubeJob;
  public readonly scripts: ReadonlyMap<string, string>;

  public constructor(scope: Construct, id: string, props: BuildJobProps) {
    super(scope, id);
    if (!(props.buildSpec instanceof BuildSpec)) {
      invalid(this, 'buildSpec must be a BuildSpec', 'Use BuildSpec.fromYaml(text) or new BuildSpec({...})');
    }
    this.scripts = jobScripts(props.buildSpec);
    this.job = new plus.k8s.KubeJob(this, 'Resource', {
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: props.activeDeadlineSeconds ?? 3600,
        template: {
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              fsGroup: NON_ROOT_ID,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            ...this.containers(props),
            volumes: jobVolumes(props),
          },
        },
      },
    });
  }

  /** The source (when asked) and each phase as init containers, in order; then `finish`. */
  private containers(props: BuildJobProps) {
    const container = containerFactory(this, props);
    const phases = props.buildSpec.phases;
    const source = props.source
      ? [sourceContainer(container('source', GitSource.DEFAULT_IMAGE, ''), props.source)]
      : [];
    const lastImage = props.phaseImages?.[phases[phases.length - 1][0]] ?? props.image;
    return {
      initContainers: [
        ...source,
        ...phases.map(([phase]) =>
          container(
            stepName(phase),
            props.phaseImages?.[phase] ?? props.image,
            this.scripts.get(stepName(phase))!,
            [{ name: 'CDK8S_DEVOPS_PHASE_EXIT', value: 'zero' }],
          ),
        ),
      ],
      containers: [container('finish', lastImage, this.scripts.get('finish')!)],
    };
  }
}

/** The phases' scripts, and `finish`, which also prints the results (a Job has no Task results). */
function jobScripts(buildSpec: BuildSpec): Map<string, string> {
  const spec = buildSpec.props;
  const paths: ScriptPaths = {
    state: FOLDERS.state,
    source: FOLDERS.source,
    artifacts: FOLDERS.artifacts,
    result: (name) => `${FOLDERS.state}/results/${name}`,
  };
  const scripts = new Map<string, string>();
  buildSpec.phases.forEach(([phase, phaseSpec]) =>
    scripts.set(stepName(phase), phaseScript(paths, phase, phaseSpec)),
  );
  scripts.set(
    'finish',
    `mkdir -p ${FOLDERS.state}/results\n` +
      finishScript(paths, {
        exportedVariables: spec.exportedVariables ?? [],
        artifacts: spec.artifacts,
        reports: spec.reports ?? {},
        cachePaths: [],
      }).replace(
        /\necho "build succeeded"\n$/,
        `\nfor f in ${FOLDERS.state}/results/*; do [ -f "$f" ] && echo "result $(basename "$f")=$(cat "$f")"; done\necho "build succeeded"\n`,
      ),
  );
  return scripts;
}

/** Makes the Job's containers: the build's env and mounts, restricted, with limits. */
function containerFactory(scope: Construct, props: BuildJobProps) {
  const spec = props.buildSpec.props;
  const env = [
    ...WRITABLE_HOME.env,
    ...Object.entries(spec.variables ?? {}).map(([name, value]) => ({ name, value })),
    ...Object.entries({ ...spec.env, ...props.env }).map(([name, value]) => value.toEnvVar(name)),
    ...(props.packageMirror?.env ?? []),
  ];
  const mounts = [
    { name: 'build-state', mountPath: FOLDERS.state },
    { name: 'source', mountPath: FOLDERS.source },
    { name: 'artifacts', mountPath: FOLDERS.artifacts },
    ...WRITABLE_HOME.mounts,
    ...(props.packageMirror?.volumeMounts ?? []),
  ];
  return (name: string, image: string, script: string, extraEnv: { name: string; value: string }[] = []) => ({
    name,
    image: checkImage(scope, image, false),
    command: ['bash', '-c', script],
    env: [...env, ...extraEnv],
    workingDir: FOLDERS.source,
    volumeMounts: mounts,
    securityContext: { ...RESTRICTED_STEP_SECURITY, capabilities: { drop: ['ALL'] } },
    resources: jobResources(props.resources),
  });
}

type JobContainer = ReturnType<ReturnType<typeof containerFactory>>;

/** The container that clones the source, with the clone script of GitSource on the Job's folders. */
function sourceContainer(base: JobContainer, source: NonNullable<BuildJobProps['source']>) {
  return {
    ...base,
    command: [
      'sh',
      '-c',
      cloneScript(source.credentials)
        .replace(/\$\(workspaces\.output\.path\)/g, FOLDERS.source)
        .replace(/\$\(workspaces\.(basic-auth|ssh-directory)\.path\)/g, '/workspace/credentials')
        .replace(/\$\(results\.(\w+)\.path\)/g, `${FOLDERS.state}/$1`),
    ],
    env: [
      ...WRITABLE_HOME.env,
      { name: 'PARAM_URL', value: source.url },
      { name: 'PARAM_REVISION', value: source.revision ?? 'main' },
    ],
    volumeMounts: [
      ...base.volumeMounts,
      ...(source.credentials
        ? [{ name: 'credentials', mountPath: '/workspace/credentials', readOnly: true }]
        : []),
    ],
  };
}

/** The Job's emptyDirs, the package mirror's volumes, and the source's credentials. */
function jobVolumes(props: BuildJobProps) {
  return [
    { name: 'build-state', emptyDir: {} },
    { name: 'source', emptyDir: {} },
    { name: 'artifacts', emptyDir: {} },
    ...WRITABLE_HOME.volumes,
    ...(props.packageMirror?.volumes ?? []),
    ...(props.source?.credentials
      ? [
          {
            name: 'credentials',
            secret: { secretName: props.source.credentials.secretName, defaultMode: 0o400 },
          },
        ]
      : []),
  ];
}

/** The defaults of `stepResources`, as a container's resources. */
function jobResources(r: StepResources = {}): plus.k8s.ResourceRequirements {
  const q = (value: string) => plus.k8s.Quantity.fromString(value);
  return {
    requests: { cpu: q(r.cpuRequest ?? '250m'), memory: q(r.memoryRequest ?? '512Mi') },
    limits: { cpu: q(r.cpuLimit ?? '2'), memory: q(r.memoryLimit ?? '2Gi') },
  };
}
