import { Lazy } from 'cdk8s';
import type { Construct } from 'constructs';
import type { TaskV1SpecSteps } from '../../imports/tekton.dev.js';
import { TaskV1 } from '../../imports/tekton.dev.js';
import { invalid, show } from '../core/errors.js';
import { checkImage } from '../core/image.js';
import { checkDnsLabel } from '../core/names.js';
import * as plus from '../core/plus.js';
import type { EnvVarJson } from './build-env.js';
import type { StepResources, TaskParamSpec, TaskWorkspaceSpec, WorkspaceBacking } from './task.js';
import { RESTRICTED_STEP_SECURITY, WRITABLE_HOME, stepResources, taskInterface } from './task.js';
import { TaskBase } from './task-base.js';

export interface CustomStep {
  /** A DNS label, unique in the Task. */
  readonly name: string;
  readonly image: string;
  /** The script, starting with its #! line. */
  readonly script: string;
  readonly env?: readonly EnvVarJson[];
  readonly resources?: StepResources;
}

export interface CustomTaskProps {
  readonly steps: readonly CustomStep[];
  readonly params?: readonly TaskParamSpec[];
  readonly results?: readonly string[];
  readonly workspaces?: readonly TaskWorkspaceSpec[];
  readonly workspaceBackings?: Readonly<Record<string, WorkspaceBacking>>;
  readonly description?: string;
  /** @default - the construct id */
  readonly taskName?: string;
}

/**
 * A Task of your own steps, for custom pipeline stages: every step restricted, with limits, a writable
 * HOME and /tmp; run as its own ServiceAccount (`serviceAccount`, no token unless `enableApiAccess`).
 */
export class CustomTask extends TaskBase {
  public readonly serviceAccount: plus.ServiceAccount;
  private apiAccess = false;
  public readonly task: TaskV1;

  public constructor(scope: Construct, id: string, props: CustomTaskProps) {
    super(scope, id);
    const taskName = checkDnsLabel(this, 'taskName', props.taskName ?? id);
    const seen = new Set<string>();
    for (const step of props.steps) {
      checkDnsLabel(this, 'step name', step.name);
      if (seen.has(step.name)) {
        invalid(this, `step ${show(step.name)} is defined twice`, 'Give each step of the Task its own name');
      }
      seen.add(step.name);
    }
    if (props.steps.length === 0) {
      invalid(this, 'a CustomTask needs at least one step', 'Add a step');
    }
    this.declareTask({
      taskName,
      params: props.params ?? [],
      results: props.results ?? [],
      workspaces: props.workspaces ?? [],
      workspaceBackings: props.workspaceBackings ?? {},
      serviceAccountName: taskName,
    });
    this.serviceAccount = new plus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.serviceAccountName },
      // Decided when the chart is synthesized, so that a stage may ask for API access after creating it.
      automountToken: Lazy.any({ produce: () => this.apiAccess }) as unknown as boolean,
    });
    this.task = new TaskV1(this, 'Resource', {
      metadata: { name: this.taskName },
      spec: {
        description: props.description,
        ...taskInterface(this),
        volumes: [...WRITABLE_HOME.volumes],
        steps: props.steps.map((step): TaskV1SpecSteps => ({
          name: step.name,
          image: checkImage(this, step.image, false),
          script: step.script,
          env: [...WRITABLE_HOME.env, ...(step.env ?? [])] as TaskV1SpecSteps['env'],
          volumeMounts: [...WRITABLE_HOME.mounts],
          securityContext: RESTRICTED_STEP_SECURITY as unknown as TaskV1SpecSteps['securityContext'],
          computeResources: stepResources(step.resources),
        })),
      },
    });
  }

  /** Mounts a token for the ServiceAccount: the steps call the Kubernetes API. */
  public enableApiAccess(): void {
    this.apiAccess = true;
  }
}
