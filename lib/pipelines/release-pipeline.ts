import type { Duration } from 'cdk8s';
import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import type { PipelineV1Spec } from '../../imports/tekton.dev.js';
import { PipelineRunV1, PipelineV1 } from '../../imports/tekton.dev.js';
import { invalid, show } from '../core/errors.js';
import { checkDnsLabel, checkRange } from '../core/names.js';
import * as plus from '../core/plus.js';
import type { ITask, WorkspaceBacking } from './task.js';
import { NON_ROOT_ID } from './task.js';
import type { PipelineTaskSpec, WhenExpression } from './validation.js';
import { validatePipeline } from './validation.js';

export interface PipelineParam {
  readonly name: string;
  readonly description?: string;
  /** Without a default, every PipelineRun must give a value. */
  readonly default?: string;
}

export interface PipelineTaskOptions {
  readonly task: ITask;
  /** Param values; they may read `$(params.x)` and `$(tasks.t.results.r)`. */
  readonly params?: Readonly<Record<string, string>>;
  /** Task workspace -> pipeline workspace (workspaces with a fixed backing are bound automatically). */
  readonly workspaces?: Readonly<Record<string, string>>;
  /** Tasks this one runs after, beside those of the previous stage. */
  readonly runAfter?: readonly string[];
  /** Runs the task only when every expression holds; otherwise it (and what depends on it) is skipped. */
  readonly when?: readonly WhenExpression[];
  /** @default 0 */
  readonly retries?: number;
  /** @default - the pipeline's own timeout */
  readonly timeout?: Duration;
}

export interface ReleasePipelineProps {
  /** @default - the construct id */
  readonly pipelineName?: string;
  /** Params beside `revision` (the commit or branch a run releases, always declared). */
  readonly params?: readonly PipelineParam[];
  /** Workspaces shared between tasks, for example 'source'. */
  readonly workspaces?: readonly string[];
  /** Pipeline results: name -> value (a task result reference). */
  readonly results?: Readonly<Record<string, string>>;
  /** How long a run may take in all. @default - Tekton's default, one hour */
  readonly timeout?: Duration;
  /** @default 'main' */
  readonly defaultRevision?: string;
}

/** A pipeline task, as later tasks refer to it. */
export class PipelineTaskRef {
  public constructor(
    public readonly name: string,
    public readonly task: ITask,
  ) {}

  /** `$(tasks.<name>.results.<result>)`; checked at synth time. */
  public result(result: string): string {
    return `$(tasks.${this.name}.results.${result})`;
  }
}

/** Tasks that run side by side, after every task of the stage before. */
export class Stage {
  /** @internal */
  public readonly _tasks: PipelineTaskRef[] = [];

  /** @internal */
  public constructor(
    public readonly name: string,
    private readonly pipeline: ReleasePipeline,
    private readonly previous: () => readonly PipelineTaskRef[],
  ) {}

  public addTask(name: string, options: PipelineTaskOptions): PipelineTaskRef {
    const ref = this.pipeline._addTask(
      name,
      options,
      this.previous().map((t) => t.name),
      false,
    );
    this._tasks.push(ref);
    return ref;
  }
}

export interface RunOptions {
  /** The PipelineRun's name. @default - the pipeline's name and the first 7 characters of the revision */
  readonly runName?: string;
  /** Values of params, beside `revision`. */
  readonly params?: Readonly<Record<string, string>>;
  /**
   * How each shared workspace is backed in this run.
   *
   * @default - a 1Gi volumeClaimTemplate per shared workspace
   */
  readonly workspaces?: Readonly<Record<string, RunWorkspace>>;
}

export interface RunWorkspace {
  readonly emptyDir?: boolean;
  readonly claimSize?: string;
  readonly persistentVolumeClaim?: string;
}

/**
 * CodePipeline on Tekton: ordered stages of tasks as a Pipeline (tekton.dev/v1), each stage's tasks
 * running after every task of the stage before, with `runAfter`, `when`, `finally`, params, results,
 * workspaces, retries and timeouts. Checked at synth time (see validation.ts); `runFor(revision)` makes
 * the PipelineRun that releases one revision, every task as its own ServiceAccount.
 */
export class ReleasePipeline extends Construct {
  public readonly pipelineName: string;
  public readonly pipeline: PipelineV1;
  /** The ServiceAccount of runs, for tasks without their own: no token, no permission. */
  public readonly serviceAccountName: string;
  private readonly props: ReleasePipelineProps;
  private readonly stages: Stage[] = [];
  private readonly taskSpecs: PipelineTaskSpec[] = [];
  private readonly options = new Map<string, PipelineTaskOptions>();
  /** Pipeline workspaces bound to a fixed backing, added from the tasks' `workspaceBackings`. */
  private readonly backedWorkspaces = new Map<string, WorkspaceBacking>();

  public constructor(scope: Construct, id: string, props: ReleasePipelineProps = {}) {
    super(scope, id);
    this.props = props;
    this.pipelineName = checkDnsLabel(this, 'pipelineName', props.pipelineName ?? id);
    this.serviceAccountName = `${this.pipelineName}-run`;
    new plus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.serviceAccountName },
      automountToken: false,
    });
    this.pipeline = new PipelineV1(this, 'Resource', {
      metadata: { name: this.pipelineName },
      spec: Lazy.any({ produce: () => this.toSpec() }) as PipelineV1Spec,
    });
    this.node.addValidation({
      validate: () => validatePipeline(this.shape()).map((m) => `${this.node.path}: ${m}`),
    });
  }

  /** The stages, in order. */
  public get stageNames(): readonly string[] {
    return this.stages.map((s) => s.name);
  }

  /** Adds a stage after the last one. */
  public addStage(name: string): Stage {
    checkDnsLabel(this, 'stage name', name);
    if (this.stages.some((s) => s.name === name)) {
      invalid(this, `stage ${show(name)} is defined twice`, 'Give each stage its own name');
    }
    const before = [...this.stages];
    const stage = new Stage(
      name,
      this,
      () => [...before].reverse().find((s) => s._tasks.length > 0)?._tasks ?? [],
    );
    this.stages.push(stage);
    return stage;
  }

  /** A task that runs once every other task has finished, failed or been skipped: notify, clean up. */
  public addFinally(name: string, options: PipelineTaskOptions): PipelineTaskRef {
    return this._addTask(name, options, [], true);
  }

  /** @internal */
  public _addTask(
    name: string,
    options: PipelineTaskOptions,
    previous: readonly string[],
    isFinally: boolean,
  ): PipelineTaskRef {
    checkDnsLabel(this, 'pipeline task name', name);
    if (options.retries !== undefined) {
      checkRange(this, `retries of ${name}`, options.retries, 0, 10, 'Set retries between 0 and 10');
    }
    const workspaces: Record<string, string> = { ...options.workspaces };
    for (const [workspace, backing] of Object.entries(options.task.workspaceBackings ?? {})) {
      if (workspaces[workspace] === undefined) {
        workspaces[workspace] = `${name}-${workspace}`;
        this.backedWorkspaces.set(`${name}-${workspace}`, backing);
      }
    }
    this.taskSpecs.push({
      name,
      task: options.task,
      params: options.params ?? {},
      workspaces,
      runAfter: [...new Set([...previous, ...(options.runAfter ?? [])])],
      when: options.when ?? [],
      finally: isFinally,
    });
    this.options.set(name, options);
    return new PipelineTaskRef(name, options.task);
  }

  /** The tasks as the checks see them. */
  public shape() {
    return {
      tasks: this.taskSpecs,
      params: ['revision', ...(this.props.params ?? []).map((p) => p.name)],
      workspaces: [...(this.props.workspaces ?? []), ...this.backedWorkspaces.keys()],
      results: this.props.results ?? {},
    };
  }

  /** The Pipeline's spec. */
  public toSpec(): unknown {
    const task = (t: PipelineTaskSpec) => {
      const options = this.options.get(t.name)!;
      return {
        name: t.name,
        taskRef: { kind: 'Task', name: t.task.taskName },
        ...(t.runAfter.length > 0 ? { runAfter: t.runAfter } : {}),
        ...(Object.keys(t.params).length > 0
          ? { params: Object.entries(t.params).map(([name, value]) => ({ name, value })) }
          : {}),
        ...(Object.keys(t.workspaces).length > 0
          ? { workspaces: Object.entries(t.workspaces).map(([name, workspace]) => ({ name, workspace })) }
          : {}),
        ...(t.when.length > 0
          ? { when: t.when.map((w) => ({ input: w.input, operator: w.operator, values: [...w.values] })) }
          : {}),
        ...(options.retries ? { retries: options.retries } : {}),
        ...(options.timeout ? { timeout: goDuration(options.timeout) } : {}),
      };
    };
    const shape = this.shape();
    return {
      description: `Release pipeline: ${this.stages.map((s) => s.name).join(' -> ')}`,
      params: [
        {
          name: 'revision',
          type: 'string',
          description: 'The revision to release',
          default: this.props.defaultRevision ?? 'main',
        },
        ...(this.props.params ?? []).map((p) => ({
          name: p.name,
          type: 'string',
          description: p.description,
          default: p.default,
        })),
      ],
      workspaces: shape.workspaces.map((name) => ({ name })),
      tasks: this.taskSpecs.filter((t) => !t.finally).map(task),
      ...(this.taskSpecs.some((t) => t.finally)
        ? { finally: this.taskSpecs.filter((t) => t.finally).map(task) }
        : {}),
      ...(Object.keys(shape.results).length > 0
        ? { results: Object.entries(shape.results).map(([name, value]) => ({ name, type: 'string', value })) }
        : {}),
    };
  }

  /** A PipelineRun of this pipeline for `revision`, created in `scope`. */
  public runFor(scope: Construct, id: string, revision: string, options: RunOptions = {}): PipelineRunV1 {
    const runName = checkDnsLabel(
      this,
      'runName',
      options.runName ?? `${this.pipelineName}-${revision.replace(/[^a-z0-9]/g, '').slice(0, 7) || 'run'}`,
    );
    return new PipelineRunV1(scope, id, {
      metadata: {
        name: runName,
        labels: { 'cdk8s-devops.io/revision': revision.slice(0, 63).replace(/[^A-Za-z0-9._-]/g, '-') },
      },
      spec: this.runSpec({ revision, ...options.params }, options),
    });
  }

  /** The spec of a PipelineRun with `params` (a TriggerTemplate's holds `$(tt.params.x)` values). */
  public runSpec(
    params: Readonly<Record<string, string>>,
    options: RunOptions = {},
  ): Record<string, unknown> {
    for (const param of this.props.params ?? []) {
      if (param.default === undefined && params[param.name] === undefined) {
        invalid(
          this,
          `a run gives no value for param ${show(param.name)}, which has no default`,
          `Pass it: runFor(scope, id, revision, { params: { ${JSON.stringify(param.name)}: '...' } })`,
        );
      }
    }
    const workspaces = [
      ...(this.props.workspaces ?? []).map((name) => {
        const backing = options.workspaces?.[name] ?? {};
        if (backing.emptyDir) {
          return { name, emptyDir: {} };
        }
        if (backing.persistentVolumeClaim) {
          return { name, persistentVolumeClaim: { claimName: backing.persistentVolumeClaim } };
        }
        return {
          name,
          volumeClaimTemplate: {
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: backing.claimSize ?? '1Gi' } },
            },
          },
        };
      }),
      ...[...this.backedWorkspaces].map(([name, b]) => ({
        name,
        ...(b.secret ? { secret: { secretName: b.secret, ...(b.items ? { items: b.items } : {}) } } : {}),
        ...(b.configMap ? { configMap: { name: b.configMap, ...(b.items ? { items: b.items } : {}) } } : {}),
        ...(b.persistentVolumeClaim ? { persistentVolumeClaim: { claimName: b.persistentVolumeClaim } } : {}),
      })),
    ];
    return {
      pipelineRef: { name: this.pipelineName },
      params: Object.entries(params).map(([name, value]) => ({ name, value })),
      workspaces,
      taskRunSpecs: this.taskRunSpecs(),
      taskRunTemplate: {
        serviceAccountName: this.serviceAccountName,
        podTemplate: { securityContext: { fsGroup: NON_ROOT_ID } },
      },
      ...(this.props.timeout ? { timeouts: { pipeline: goDuration(this.props.timeout) } } : {}),
    };
  }

  /** Every task with a ServiceAccount of its own runs as it. */
  private taskRunSpecs() {
    return this.taskSpecs
      .filter((t) => t.task.serviceAccountName)
      .map((t) => ({ pipelineTaskName: t.name, serviceAccountName: t.task.serviceAccountName }));
  }
}

/** A Duration as Go's time.ParseDuration reads it: '1h30m0s'. */
export function goDuration(duration: Duration): string {
  const seconds = duration.toSeconds();
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
