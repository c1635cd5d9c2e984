/**
 * Checks of a Pipeline that Tekton's admission webhook would make, and some it makes only when the
 * pipeline runs: without the webhook an invalid Pipeline is admitted and fails later. Every message
 * names the pipeline task, the bad value and the fix.
 */
import type { ITask } from './task.js';

export interface WhenExpression {
  /** A value, usually a param or result reference: '$(params.branch)'. */
  readonly input: string;
  readonly operator: 'in' | 'notin';
  readonly values: readonly string[];
}

/** One task of a pipeline, as the checks see it. */
export interface PipelineTaskSpec {
  readonly name: string;
  readonly task: ITask;
  readonly params: Readonly<Record<string, string>>;
  /** Task workspace -> pipeline workspace. */
  readonly workspaces: Readonly<Record<string, string>>;
  readonly runAfter: readonly string[];
  readonly when: readonly WhenExpression[];
  readonly finally: boolean;
}

export interface PipelineShape {
  readonly tasks: readonly PipelineTaskSpec[];
  /** The pipeline's params. */
  readonly params: readonly string[];
  /** The pipeline's workspaces. */
  readonly workspaces: readonly string[];
  /** The pipeline's results: name -> value. */
  readonly results: Readonly<Record<string, string>>;
}

const RESULT_REF = /\$\(tasks\.([^.)]+)\.results\.([^.)[\]]+)[^)]*\)/g;
const PARAM_REF = /\$\(params\.([^.)[\]]+)[^)]*\)/g;

/** Every `$(tasks.X.results.Y)` in `values`. */
export function resultReferences(
  values: readonly string[],
): { task: string; result: string; text: string }[] {
  return values.flatMap((v) =>
    [...v.matchAll(RESULT_REF)].map((m) => ({ task: m[1], result: m[2], text: m[0] })),
  );
}

function inputsOf(task: PipelineTaskSpec): string[] {
  return [...Object.values(task.params), ...task.when.flatMap((w) => [w.input, ...w.values])];
}

/** The problems of `pipeline`, one message each, in a stable order; empty when it is valid. */
export function validatePipeline(pipeline: PipelineShape): string[] {
  const problems: string[] = [];
  const byName = new Map<string, PipelineTaskSpec>();
  for (const task of pipeline.tasks) {
    if (byName.has(task.name)) {
      problems.push(
        `pipeline task ${q(task.name)} is defined twice. Give each task of the pipeline its own name`,
      );
    }
    byName.set(task.name, task);
  }
  const regular = pipeline.tasks.filter((t) => !t.finally);
  const graph: TaskGraph = {
    byName,
    names: [...byName.keys()],
    edges: new Map(regular.map((t) => [t.name, new Set<string>()])),
  };
  problems.push(...checkRunAfter(pipeline, graph));
  problems.push(...checkResultReads(pipeline, graph));
  problems.push(...checkPipelineResults(pipeline, graph));
  const cycle = findCycle(graph.edges);
  if (cycle) {
    problems.push(`pipeline tasks form a cycle: ${cycle.join(' -> ')}. Remove one of these runAfter entries`);
  }
  for (const task of pipeline.tasks) {
    problems.push(...checkParams(task, pipeline), ...checkWorkspaces(task, pipeline));
  }
  return problems;
}

/** The tasks by name, and the order among the regular ones: task -> the tasks it runs after. */
interface TaskGraph {
  readonly byName: ReadonlyMap<string, PipelineTaskSpec>;
  readonly names: readonly string[];
  readonly edges: Map<string, Set<string>>;
}

/** runAfter names tasks of the pipeline, and never crosses between regular and finally tasks. */
function checkRunAfter(pipeline: PipelineShape, { byName, names, edges }: TaskGraph): string[] {
  const problems: string[] = [];
  for (const task of pipeline.tasks) {
    for (const before of task.runAfter) {
      if (!byName.has(before)) {
        problems.push(
          `pipeline task ${q(task.name)} runs after ${q(before)}, which is not a task of the pipeline. Use one of: ${names.join(', ')}`,
        );
      } else if (task.finally) {
        problems.push(
          `finally task ${q(task.name)} has runAfter ${q(before)}, but finally tasks run after every other task. Remove runAfter`,
        );
      } else if (byName.get(before)!.finally) {
        problems.push(
          `pipeline task ${q(task.name)} runs after finally task ${q(before)}. Only finally tasks run after finally tasks; remove it from runAfter`,
        );
      } else {
        edges.get(task.name)!.add(before);
      }
    }
  }
  return problems;
}

/**
 * Result references: the producer must exist, produce the result, and not run after the reader. Each
 * valid read orders the reader after the producer, as Tekton does.
 */
function checkResultReads(pipeline: PipelineShape, { byName, names, edges }: TaskGraph): string[] {
  const problems: string[] = [];
  const reads = pipeline.tasks.flatMap((reader) =>
    resultReferences(inputsOf(reader)).map((ref) => ({ reader, ...ref })),
  );
  for (const read of reads) {
    const producer = byName.get(read.task);
    if (!producer) {
      problems.push(
        `pipeline task ${q(read.reader.name)} reads ${read.text}, but ${q(read.task)} is not a task of the pipeline. Use one of: ${names.join(', ')}`,
      );
    } else if (!producer.task.results.includes(read.result)) {
      problems.push(
        `pipeline task ${q(read.reader.name)} reads ${read.text}, but Task ${q(producer.task.taskName)} produces no result ${q(read.result)}. ${producer.task.results.length > 0 ? `Use one of: ${producer.task.results.join(', ')}` : 'It produces no results at all'}`,
      );
    } else if (producer.finally) {
      problems.push(
        `pipeline task ${q(read.reader.name)} reads ${read.text}, but ${q(read.task)} is a finally task, whose results only the pipeline's results can read. Read it in the pipeline's results instead`,
      );
    } else if (read.reader.name === read.task) {
      problems.push(
        `pipeline task ${q(read.reader.name)} reads its own result ${read.text}. A task reads only results of tasks before it`,
      );
    } else if (read.reader.finally) {
      // A finally task runs after every regular task: its reads order nothing.
    } else if (reachable(edges, read.task, read.reader.name)) {
      problems.push(
        `pipeline task ${q(read.reader.name)} reads ${read.text} before ${q(read.task)} produces it: ${q(read.task)} runs after ${q(read.reader.name)}. Remove the read, or make ${q(read.task)} run first`,
      );
    } else {
      edges.get(read.reader.name)!.add(read.task);
    }
  }
  return problems;
}

/** A pipeline result is exactly one result reference, of a task that produces it. */
function checkPipelineResults(pipeline: PipelineShape, { byName, names }: TaskGraph): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(pipeline.results)) {
    if (value.replace(RESULT_REF, '').trim() !== '' || resultReferences([value]).length === 0) {
      problems.push(
        `pipeline result ${q(name)} is ${q(value)}, but Tekton accepts only task result references there. Make it ${q(resultReferences([value])[0]?.text ?? '$(tasks.<task>.results.<result>)')} and say the rest in its name`,
      );
    }
    for (const ref of resultReferences([value])) {
      const producer = byName.get(ref.task);
      if (!producer || !producer.task.results.includes(ref.result)) {
        problems.push(
          `pipeline result ${q(name)} reads ${ref.text}, which no task produces. Use a result of one of: ${names.join(', ')}`,
        );
      }
    }
  }
  return problems;
}

function checkParams(task: PipelineTaskSpec, pipeline: PipelineShape): string[] {
  const problems: string[] = [];
  const declared = new Map(task.task.params.map((p) => [p.name, p]));
  for (const name of Object.keys(task.params)) {
    if (!declared.has(name)) {
      problems.push(
        `pipeline task ${q(task.name)} sets param ${q(name)}, which Task ${q(task.task.taskName)} does not have. Use one of: ${[...declared.keys()].join(', ') || '(none)'}`,
      );
    }
  }
  for (const param of task.task.params) {
    if (param.default === undefined && task.params[param.name] === undefined) {
      problems.push(
        `pipeline task ${q(task.name)} gives no value for param ${q(param.name)} of Task ${q(task.task.taskName)}, which has no default. Set params: { ${JSON.stringify(param.name)}: '...' }`,
      );
    }
  }
  for (const value of inputsOf(task)) {
    for (const m of value.matchAll(PARAM_REF)) {
      if (!pipeline.params.includes(m[1])) {
        problems.push(
          `pipeline task ${q(task.name)} reads ${m[0]}, which the pipeline does not declare. Declare param ${q(m[1])} in the pipeline's params`,
        );
      }
    }
  }
  return problems;
}

function checkWorkspaces(task: PipelineTaskSpec, pipeline: PipelineShape): string[] {
  const problems: string[] = [];
  const declared = new Set(task.task.workspaces.map((w) => w.name));
  for (const [name, target] of Object.entries(task.workspaces)) {
    if (!declared.has(name)) {
      problems.push(
        `pipeline task ${q(task.name)} binds workspace ${q(name)}, which Task ${q(task.task.taskName)} does not have. Use one of: ${[...declared].join(', ') || '(none)'}`,
      );
    } else if (!pipeline.workspaces.includes(target)) {
      problems.push(
        `pipeline task ${q(task.name)} binds workspace ${q(name)} to ${q(target)}, which the pipeline does not declare. Declare it in workspaces, or use one of: ${pipeline.workspaces.join(', ') || '(none)'}`,
      );
    }
  }
  for (const workspace of task.task.workspaces) {
    if (!workspace.optional && task.workspaces[workspace.name] === undefined) {
      problems.push(
        `pipeline task ${q(task.name)} does not bind workspace ${q(workspace.name)}, which Task ${q(task.task.taskName)} needs. Bind it: workspaces: { ${JSON.stringify(workspace.name)}: '<pipeline workspace>' }`,
      );
    }
  }
  return problems;
}

/** Whether `to` is reachable from `from` following runAfter edges (from runs after ... runs after to). */
function reachable(edges: ReadonlyMap<string, ReadonlySet<string>>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next === to) {
      return true;
    }
    if (!seen.has(next)) {
      seen.add(next);
      stack.push(...(edges.get(next) ?? []));
    }
  }
  return false;
}

/** A cycle as task names, first repeated at the end, in the order the tasks run; undefined if none. */
function findCycle(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'visiting');
    path.push(node);
    for (const before of [...(edges.get(node) ?? [])].sort()) {
      if (state.get(before) === 'visiting') {
        // path holds "runs after" links: reverse them into run order.
        return [...path.slice(path.indexOf(before)), before].reverse();
      }
      if (!state.has(before)) {
        const found = visit(before);
        if (found) {
          return found;
        }
      }
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of [...edges.keys()].sort()) {
    if (!state.has(node)) {
      const found = visit(node);
      if (found) {
        return found;
      }
    }
  }
  return undefined;
}

function q(value: string): string {
  return JSON.stringify(value);
}
