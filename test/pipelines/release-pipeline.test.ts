import { Duration } from 'cdk8s';
import { CustomTask } from '../../lib/pipelines/custom-task.js';
import type { PipelineTaskOptions } from '../../lib/pipelines/release-pipeline.js';
import { ReleasePipeline } from '../../lib/pipelines/release-pipeline.js';
import { validatePipeline } from '../../lib/pipelines/validation.js';
import { one, synth, testChart } from '../util/synth.js';

const image = 'docker.io/library/busybox:1.37.0';

function fixture() {
  const chart = testChart();
  const task = (id: string, extra: Partial<ConstructorParameters<typeof CustomTask>[2]> = {}) =>
    new CustomTask(chart, id, { steps: [{ name: 'run', image, script: '#!/bin/sh\ntrue\n' }], ...extra });
  const source = task('source', { results: ['commit'], workspaces: [{ name: 'output' }] });
  const build = task('build', {
    params: [{ name: 'commit' }, { name: 'flags', default: '' }],
    results: ['version'],
    workspaces: [{ name: 'source' }],
  });
  const notify = task('notify', { params: [{ name: 'status', default: '' }] });
  const pipeline = new ReleasePipeline(chart, 'release', { workspaces: ['source'] });
  return { chart, pipeline, source, build, notify };
}

/** A pipeline fetch -> build whose build task has `buildOptions`; the problems the checks find. */
function problemsWith(
  buildOptions: Partial<PipelineTaskOptions>,
  more: (f: ReturnType<typeof fixture>) => void = () => {},
) {
  const f = fixture();
  f.pipeline.addStage('source').addTask('fetch', { task: f.source, workspaces: { output: 'source' } });
  f.pipeline.addStage('build').addTask('build', {
    task: f.build,
    params: { commit: '$(tasks.fetch.results.commit)' },
    workspaces: { source: 'source' },
    ...buildOptions,
  });
  more(f);
  return validatePipeline(f.pipeline.shape());
}

test('stages run in order: each task runs after every task of the stage before; finally tasks after all', () => {
  const f = fixture();
  const fetch = f.pipeline
    .addStage('source')
    .addTask('fetch', { task: f.source, workspaces: { output: 'source' } });
  const build = f.pipeline.addStage('build');
  build.addTask('unit', {
    task: f.build,
    params: { commit: fetch.result('commit') },
    workspaces: { source: 'source' },
  });
  build.addTask('lint', {
    task: f.build,
    params: { commit: fetch.result('commit') },
    workspaces: { source: 'source' },
  });
  f.pipeline.addStage('empty');
  f.pipeline.addStage('release').addTask('tag', {
    task: f.build,
    params: { commit: fetch.result('commit'), flags: '$(tasks.unit.results.version)' },
    workspaces: { source: 'source' },
    when: [{ input: '$(params.revision)', operator: 'in', values: ['main'] }],
    retries: 2,
    timeout: Duration.minutes(90),
  });
  f.pipeline.addFinally('notify', { task: f.notify, params: { status: '$(tasks.status)' } });
  const spec = one(synth(f.chart), 'Pipeline', 'release').spec;
  expect(spec.tasks.map((t: any) => [t.name, t.runAfter])).toEqual([
    ['fetch', undefined],
    ['unit', ['fetch']],
    ['lint', ['fetch']],
    ['tag', ['unit', 'lint']],
  ]);
  expect(spec.tasks[3]).toMatchObject({
    retries: 2,
    timeout: '1h30m',
    when: [{ input: '$(params.revision)', operator: 'in', values: ['main'] }],
    params: [
      { name: 'commit', value: '$(tasks.fetch.results.commit)' },
      { name: 'flags', value: '$(tasks.unit.results.version)' },
    ],
  });
  expect(spec.finally).toEqual([
    {
      name: 'notify',
      taskRef: { kind: 'Task', name: 'notify' },
      params: [{ name: 'status', value: '$(tasks.status)' }],
    },
  ]);
  expect(spec.description).toBe('Release pipeline: source -> build -> empty -> release');
});

test('a valid pipeline has no problems', () => {
  expect(problemsWith({})).toEqual([]);
});

test.each<[string, Partial<PipelineTaskOptions>, (f: ReturnType<typeof fixture>) => void, string[]]>([
  [
    'runAfter a task that does not exist',
    { runAfter: ['tests'] },
    () => {},
    [
      'pipeline task "build" runs after "tests", which is not a task of the pipeline. Use one of: fetch, build',
    ],
  ],
  [
    'a result of a task that does not exist',
    { params: { commit: '$(tasks.fetc.results.commit)' } },
    () => {},
    [
      'pipeline task "build" reads $(tasks.fetc.results.commit), but "fetc" is not a task of the pipeline. Use one of: fetch, build',
    ],
  ],
  [
    'a result the task does not produce',
    { params: { commit: '$(tasks.fetch.results.sha)' } },
    () => {},
    [
      'pipeline task "build" reads $(tasks.fetch.results.sha), but Task "source" produces no result "sha". Use one of: commit',
    ],
  ],
  [
    'a param without a value',
    { params: {} },
    () => {},
    [
      `pipeline task "build" gives no value for param "commit" of Task "build", which has no default. Set params: { "commit": '...' }`,
    ],
  ],
  [
    'a param the Task does not have',
    { params: { commit: 'x', sha: 'y' } },
    () => {},
    ['pipeline task "build" sets param "sha", which Task "build" does not have. Use one of: commit, flags'],
  ],
  [
    'a pipeline param that is not declared',
    { params: { commit: '$(params.commit)' } },
    () => {},
    [
      'pipeline task "build" reads $(params.commit), which the pipeline does not declare. Declare param "commit" in the pipeline\'s params',
    ],
  ],
  [
    'a workspace the Task needs but the pipeline task does not bind',
    { workspaces: {} },
    () => {},
    [
      `pipeline task "build" does not bind workspace "source", which Task "build" needs. Bind it: workspaces: { "source": '<pipeline workspace>' }`,
    ],
  ],
  [
    'a workspace bound to one the pipeline does not declare',
    { workspaces: { source: 'src' } },
    () => {},
    [
      'pipeline task "build" binds workspace "source" to "src", which the pipeline does not declare. Declare it in workspaces, or use one of: source',
    ],
  ],
  [
    'a workspace the Task does not have',
    { workspaces: { source: 'source', cache: 'source' } },
    () => {},
    ['pipeline task "build" binds workspace "cache", which Task "build" does not have. Use one of: source'],
  ],
])('refuses %s, with its exact message', (_, buildOptions, more, expected) => {
  expect(problemsWith(buildOptions, more)).toEqual(expected);
});

test('refuses duplicate task names', () => {
  const f = fixture();
  f.pipeline.addStage('a').addTask('fetch', { task: f.source, workspaces: { output: 'source' } });
  f.pipeline.addStage('b').addTask('fetch', { task: f.source, workspaces: { output: 'source' } });
  expect(validatePipeline(f.pipeline.shape())).toEqual([
    'pipeline task "fetch" is defined twice. Give each task of the pipeline its own name',
    'pipeline tasks form a cycle: fetch -> fetch. Remove one of these runAfter entries',
  ]);
});

test('refuses a cycle of runAfter, in the order the tasks would run', () => {
  const f = fixture();
  const stage = f.pipeline.addStage('all');
  for (const [name, after] of [
    ['a', ['c']],
    ['b', ['a']],
    ['c', ['b']],
  ] as const) {
    stage.addTask(name, { task: f.notify, runAfter: [...after] });
  }
  expect(validatePipeline(f.pipeline.shape())).toEqual([
    'pipeline tasks form a cycle: a -> b -> c -> a. Remove one of these runAfter entries',
  ]);
});

test('refuses a result read before it is produced: the producer runs after the reader', () => {
  const f = fixture();
  const stage = f.pipeline.addStage('all');
  stage.addTask('fetch', { task: f.source, workspaces: { output: 'source' }, runAfter: ['build'] });
  stage.addTask('build', {
    task: f.build,
    params: { commit: '$(tasks.fetch.results.commit)' },
    workspaces: { source: 'source' },
  });
  expect(validatePipeline(f.pipeline.shape())).toEqual([
    'pipeline task "build" reads $(tasks.fetch.results.commit) before "fetch" produces it: "fetch" runs after "build". Remove the read, or make "fetch" run first',
  ]);
});

test('refuses results of finally tasks in tasks, runAfter in finally tasks, and pipeline results that are not bare references', () => {
  const f = fixture();
  f.pipeline.addStage('a').addTask('fetch', { task: f.source, workspaces: { output: 'source' } });
  f.pipeline.addFinally('last', { task: f.source, workspaces: { output: 'source' }, runAfter: ['fetch'] });
  f.pipeline.addStage('b').addTask('build', {
    task: f.build,
    params: { commit: '$(tasks.last.results.commit)' },
    workspaces: { source: 'source' },
  });
  const pipeline = new ReleasePipeline(f.chart, 'with-results', {
    results: { image: 'repo@$(tasks.fetch.results.commit)' },
  });
  pipeline.addStage('a').addTask('fetch', { task: f.source, workspaces: { output: 'source' } });
  expect(validatePipeline(f.pipeline.shape())).toEqual([
    'finally task "last" has runAfter "fetch", but finally tasks run after every other task. Remove runAfter',
    'pipeline task "build" reads $(tasks.last.results.commit), but "last" is a finally task, whose results only the pipeline\'s results can read. Read it in the pipeline\'s results instead',
  ]);
  expect(validatePipeline(pipeline.shape())).toEqual([
    'pipeline result "image" is "repo@$(tasks.fetch.results.commit)", but Tekton accepts only task result references there. Make it "$(tasks.fetch.results.commit)" and say the rest in its name',
    'pipeline task "fetch" binds workspace "output" to "source", which the pipeline does not declare. Declare it in workspaces, or use one of: (none)',
  ]);
});

test('synth fails with every problem, each prefixed with the pipeline construct path', () => {
  const f = fixture();
  f.pipeline.addStage('source').addTask('fetch', { task: f.source, workspaces: { output: 'source' } });
  f.pipeline
    .addStage('build')
    .addTask('build', { task: f.build, workspaces: { source: 'source' }, runAfter: ['tests'] });
  expect(() => synth(f.chart)).toThrow(
    'test/release: pipeline task "build" runs after "tests", which is not a task of the pipeline. Use one of: fetch, build',
  );
  expect(() => synth(f.chart)).toThrow(
    `test/release: pipeline task "build" gives no value for param "commit" of Task "build", which has no default. Set params: { "commit": '...' }`,
  );
});

test('a PipelineRun for a revision: every task as its own ServiceAccount, workspaces backed as asked', () => {
  const f = fixture();
  f.pipeline.addStage('source').addTask('fetch', { task: f.source, workspaces: { output: 'source' } });
  f.pipeline.runFor(f.chart, 'run', '3f786850e387550fdab836ed7e6dc881de23001b', {
    workspaces: { source: { claimSize: '2Gi' } },
  });
  const run = one(synth(f.chart), 'PipelineRun');
  expect(run.metadata).toMatchObject({
    name: 'release-3f78685',
    labels: { 'cdk8s-devops.io/revision': '3f786850e387550fdab836ed7e6dc881de23001b' },
  });
  expect(run.spec).toEqual({
    pipelineRef: { name: 'release' },
    params: [{ name: 'revision', value: '3f786850e387550fdab836ed7e6dc881de23001b' }],
    workspaces: [
      {
        name: 'source',
        volumeClaimTemplate: {
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } },
        },
      },
    ],
    taskRunSpecs: [{ pipelineTaskName: 'fetch', serviceAccountName: 'source' }],
    taskRunTemplate: {
      serviceAccountName: 'release-run',
      podTemplate: { securityContext: { fsGroup: 65532 } },
    },
  });
});
