/**
 * What the pipeline constructs share: the shape of a Task as a pipeline sees it (params, results,
 * workspaces), and the restricted security context and limits of every step.
 */
import type { IConstruct } from 'constructs';
import type { TaskV1Spec, TaskV1SpecSteps } from '../../imports/tekton.dev.js';
import {
  TaskV1SpecStepsComputeResourcesLimits as Limit,
  TaskV1SpecStepsComputeResourcesRequests as Request,
} from '../../imports/tekton.dev.js';
import { RESTRICTED_SECCOMP_PROFILE } from '../security/pod-security.js';

export interface TaskParamSpec {
  readonly name: string;
  readonly description?: string;
  /** Without a default, every pipeline task that uses the Task must give a value. */
  readonly default?: string;
}

export interface TaskWorkspaceSpec {
  readonly name: string;
  readonly description?: string;
  /** @default false */
  readonly optional?: boolean;
  /** @default false */
  readonly readOnly?: boolean;
}

/** What a workspace is always bound to, whatever the run: a Secret with credentials, a cache's claim. */
export interface WorkspaceBacking {
  readonly secret?: string;
  readonly configMap?: string;
  /** The keys of the Secret or ConfigMap to mount, and where. @default - every key, as a file of its name */
  readonly items?: readonly { readonly key: string; readonly path: string }[];
  readonly persistentVolumeClaim?: string;
}

/** A Tekton Task (tekton.dev/v1) that a ReleasePipeline can run. */
export interface ITask extends IConstruct {
  /** The Task's metadata.name. */
  readonly taskName: string;
  readonly params: readonly TaskParamSpec[];
  readonly results: readonly string[];
  readonly workspaces: readonly TaskWorkspaceSpec[];
  /**
   * The ServiceAccount the Task's pods run as; the PipelineRun names it for this task alone.
   *
   * @default - the PipelineRun's own
   */
  readonly serviceAccountName?: string;
  /**
   * Workspaces with a fixed backing: a ReleasePipeline declares a pipeline workspace for each and its
   * PipelineRuns bind it.
   *
   * @default - none
   */
  readonly workspaceBackings?: Readonly<Record<string, WorkspaceBacking>>;
}

/** The user and group every non-root step runs as (the "nonroot" user of distroless images). */
export const NON_ROOT_ID = 65532;

/** The step security context of Pod Security "restricted". */
export const RESTRICTED_STEP_SECURITY = {
  runAsNonRoot: true,
  runAsUser: NON_ROOT_ID,
  runAsGroup: NON_ROOT_ID,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { ...RESTRICTED_SECCOMP_PROFILE },
} as const;

export interface StepResources {
  /** @default '250m' */
  readonly cpuRequest?: string;
  /** @default '2' */
  readonly cpuLimit?: string;
  /** @default '512Mi' */
  readonly memoryRequest?: string;
  /** @default '2Gi' */
  readonly memoryLimit?: string;
}

export function stepResources(r: StepResources = {}): TaskV1SpecSteps['computeResources'] {
  return {
    requests: {
      cpu: Request.fromString(r.cpuRequest ?? '250m'),
      memory: Request.fromString(r.memoryRequest ?? '512Mi'),
    },
    limits: { cpu: Limit.fromString(r.cpuLimit ?? '2'), memory: Limit.fromString(r.memoryLimit ?? '2Gi') },
  };
}

/** Writable folders under a read-only root filesystem: HOME and /tmp, each an emptyDir. */
export const WRITABLE_HOME = {
  volumes: [
    { name: 'home', emptyDir: {} },
    { name: 'tmp', emptyDir: {} },
  ],
  mounts: [
    { name: 'home', mountPath: '/home/build' },
    { name: 'tmp', mountPath: '/tmp' },
  ],
  env: [{ name: 'HOME', value: '/home/build' }],
} as const;

/** The params, results and workspaces of a Task's spec, as the pipeline sees them (`ITask`). */
export function taskInterface(
  task: Pick<ITask, 'params' | 'results' | 'workspaces'>,
): Pick<TaskV1Spec, 'params' | 'results' | 'workspaces'> {
  return {
    params: task.params.map((p) => ({
      name: p.name,
      type: 'string',
      description: p.description,
      default: p.default,
    })),
    results: task.results.map((name) => ({ name, type: 'string' })),
    workspaces: task.workspaces.map((w) => ({
      name: w.name,
      description: w.description,
      optional: w.optional,
      readOnly: w.readOnly,
    })),
  };
}
