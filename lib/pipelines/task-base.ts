import { Construct } from 'constructs';
import type { ITask, TaskParamSpec, TaskWorkspaceSpec, WorkspaceBacking } from './task.js';

/** Everything `ITask` says of a Task, each given: what a pipeline construct declares once. */
export interface TaskShape<Results extends readonly string[] = readonly string[]> {
  readonly taskName: string;
  readonly params: readonly TaskParamSpec[];
  readonly results: Results;
  readonly workspaces: readonly TaskWorkspaceSpec[];
  readonly serviceAccountName: string;
  readonly workspaceBackings: Readonly<Record<string, WorkspaceBacking>>;
}

/**
 * The pipeline constructs that are Tasks: `ITask`'s fields, read from the shape the construct declares
 * with `declareTask` (its own Task's, or that of the CustomTask it wraps, which is itself a TaskShape).
 */
export abstract class TaskBase<Results extends readonly string[] = readonly string[]>
  extends Construct
  implements ITask
{
  private shape?: TaskShape<Results>;

  /** The Task's metadata.name. */
  public get taskName(): string {
    return this.declared.taskName;
  }

  public get params(): readonly TaskParamSpec[] {
    return this.declared.params;
  }

  public get results(): Results {
    return this.declared.results;
  }

  public get workspaces(): readonly TaskWorkspaceSpec[] {
    return this.declared.workspaces;
  }

  /** The ServiceAccount the Task's pods run as. */
  public get serviceAccountName(): string {
    return this.declared.serviceAccountName;
  }

  /** Workspaces with a fixed backing, which a ReleasePipeline binds in its PipelineRuns. */
  public get workspaceBackings(): Readonly<Record<string, WorkspaceBacking>> {
    return this.declared.workspaceBackings;
  }

  /** Declares the Task's shape, once, before anything (`taskInterface(this)`) reads it. */
  protected declareTask(shape: TaskShape<Results>): void {
    this.shape = shape;
  }

  private get declared(): TaskShape<Results> {
    // Only a subclass that reads its own fields before declaring them gets here.
    if (!this.shape) {
      throw new Error(`${this.node.path}: the Task is read before declareTask()`);
    }
    return this.shape;
  }
}
