/**
 * kwok runs no container, so the scripts a BuildProject generates are run here by bash, step after step as
 * Tekton runs them (a step that fails stops the Task unless it has onError: continue), in a temporary
 * folder standing in for the workspaces, with stand-in tools on the PATH.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuildProject } from '../../lib/pipelines/build-project.js';
import { BuildSpec } from '../../lib/pipelines/buildspec.js';
import { one, synth, testChart } from '../util/synth.js';

const BUILDSPEC = `version: 0.2
env:
  variables:
    GREETING: hello
  exported-variables:
    - BUILD_VERSION
    - GREETING
phases:
  install:
    commands:
      - npm ci
  pre_build:
    commands:
      - BUILD_VERSION="1.4.2-\${CODEBUILD_RESOLVED_SOURCE_VERSION:0:7}"
      - cd app
  build:
    commands:
      - npm test "$BUILD_VERSION"
      - echo "built in $(basename "$PWD") with $GREETING" >> ../log
    finally:
      - echo "build finally, succeeding=$CODEBUILD_BUILD_SUCCEEDING" >> ../log
  post_build:
    commands:
      - echo "post_build, succeeding=$CODEBUILD_BUILD_SUCCEEDING" >> ../log
artifacts:
  files:
    - app/dist/**/*
reports:
  unit-tests:
    files:
      - "app/junit*.xml"
cache:
  paths:
    - node_modules/**/*
`;

/** npm, as the build sees it: logs what it is asked, `npm test` writes JUnit XML and fails on demand. */
const FAKE_NPM = `#!/usr/bin/env bash
echo "npm $*" >> "$CODEBUILD_SRC_DIR/log"
case "$1" in
  ci) mkdir -p node_modules/left-pad && echo "cached" > node_modules/left-pad/index.js ;;
  test)
    mkdir -p dist/js && echo "bundle" > dist/js/app.js
    echo '<testsuites><testsuite name="a" tests="3" failures="1" errors="0" skipped="1"></testsuite><testsuite name="b" tests="2" failures="0" errors="1"></testsuite></testsuites>' > junit-unit.xml
    [ "\${FAIL_TESTS:-0}" = 1 ] && exit 3
    ;;
esac
exit 0
`;

interface Step {
  name: string;
  script: string;
  onError?: string;
  env: { name: string; value?: string }[];
}

interface Run {
  /** Each step's exit code, in order; a step Tekton never ran is missing. */
  exitCodes: Record<string, number>;
  output: string;
  log: string;
  results: Record<string, string>;
  root: string;
}

function steps(yaml: string): Step[] {
  const chart = testChart();
  new BuildProject(chart, 'api-build', {
    buildSpec: BuildSpec.fromYaml(yaml),
    image: 'docker.io/library/node:22.11.0-bookworm',
  });
  return one(synth(chart), 'Task', 'api-build').spec.steps;
}

/** Runs the Task's steps as Tekton would, with its variables substituted and its volumes as folders. */
function runTask(
  yaml: string,
  options: { env?: Record<string, string>; before?: (root: string) => void } = {},
): Run {
  const root = mkdtempSync(join(tmpdir(), 'build-script-'));
  const dirs = Object.fromEntries(
    ['source', 'cache', 'artifacts', 'results', 'state', 'home', 'bin'].map((d) => [d, join(root, d)]),
  );
  Object.values(dirs).forEach((d) => mkdirSync(d));
  mkdirSync(join(dirs.source, 'app'));
  writeFileSync(join(dirs.bin, 'npm'), FAKE_NPM);
  chmodSync(join(dirs.bin, 'npm'), 0o755);
  options.before?.(root);
  const exitCodes: Record<string, number> = {};
  let output = '';
  for (const step of steps(yaml)) {
    const script = step.script
      .replace(/\$\(workspaces\.(\w+)\.path\)/g, (_, w: string) => dirs[w])
      .replace(/\$\(results\.([\w-]+)\.path\)/g, (_, r: string) => join(dirs.results, r))
      .replace(/'\/build-state'/g, `'${dirs.state}'`);
    const env: Record<string, string> = { PATH: `${dirs.bin}:${process.env.PATH}` };
    for (const e of step.env) {
      env[e.name] = (e.value ?? '').replace(
        '$(params.source-version)',
        '3f786850e387550fdab836ed7e6dc881de23001b',
      );
    }
    env.HOME = dirs.home;
    const result = spawnSync('bash', ['-c', script], {
      cwd: dirs.source,
      env: { ...env, ...options.env },
      encoding: 'utf8',
    });
    exitCodes[step.name] = result.status ?? -1;
    output += result.stdout + result.stderr;
    if (result.status !== 0 && step.onError !== 'continue') {
      break;
    }
  }
  const logFile = join(dirs.source, 'log');
  return {
    exitCodes,
    output,
    log: existsSync(logFile) ? readFileSync(logFile, 'utf8') : '',
    results: Object.fromEntries(
      readdirSync(dirs.results).map((r) => [r, readFileSync(join(dirs.results, r), 'utf8')]),
    ),
    root,
  };
}

test('every phase runs in order in the state the previous left: variables, working directory; results, reports, cache, artifacts', () => {
  const run = runTask(BUILDSPEC);
  expect(run.exitCodes).toEqual({ install: 0, 'pre-build': 0, build: 0, 'post-build': 0, finish: 0 });
  expect(run.log).toBe(
    [
      'npm ci',
      'npm test 1.4.2-3f78685',
      'built in app with hello',
      'build finally, succeeding=1',
      'post_build, succeeding=1',
      '',
    ].join('\n'),
  );
  expect(run.results).toEqual({
    BUILD_VERSION: '1.4.2-3f78685',
    GREETING: 'hello',
    'report-unit-tests': 'tests=5 failures=1 errors=1 skipped=1',
  });
  expect(readFileSync(join(run.root, 'artifacts/reports/unit-tests/junit-unit.xml'), 'utf8')).toContain(
    '<testsuites>',
  );
  expect(readFileSync(join(run.root, 'artifacts/artifacts/app/dist/js/app.js'), 'utf8')).toBe('bundle\n');
  expect(readFileSync(join(run.root, 'cache/node_modules/left-pad/index.js'), 'utf8')).toBe('cached\n');
  expect(run.output).toContain('[build] Running command npm test "$BUILD_VERSION"');
  expect(run.output).toContain('build succeeded');
});

test('a failing build phase still runs its finally commands and post_build (CODEBUILD_BUILD_SUCCEEDING=0), collects reports, keeps no artifacts, and fails the build', () => {
  const run = runTask(BUILDSPEC, { env: { FAIL_TESTS: '1' } });
  expect(run.exitCodes).toEqual({ install: 0, 'pre-build': 0, build: 3, 'post-build': 0, finish: 1 });
  expect(run.log).toBe(
    ['npm ci', 'npm test 1.4.2-3f78685', 'build finally, succeeding=0', 'post_build, succeeding=0', ''].join(
      '\n',
    ),
  );
  expect(run.output).toContain('[build] phase failed (exit code 3, on-failure ABORT)');
  expect(run.output).toContain('build failed in phase build');
  expect(run.results['report-unit-tests']).toBe('tests=5 failures=1 errors=1 skipped=1');
  expect(existsSync(join(run.root, 'artifacts/artifacts'))).toBe(false);
});

test('install failing with on-failure ABORT skips every later phase', () => {
  const yaml = BUILDSPEC.replace(
    '      - npm ci',
    '      - npm ci\n      - exit_code_7() { return 7; }; exit_code_7',
  );
  const run = runTask(yaml);
  expect(run.exitCodes).toEqual({ install: 7, 'pre-build': 0, build: 0, 'post-build': 0, finish: 1 });
  expect(run.log).toBe('npm ci\n');
  expect(run.output).toContain('[pre_build] skipped: phase install failed');
  expect(run.output).toContain('[post_build] skipped: phase install failed');
  expect(run.output).toContain('build failed in phase install');
});

test('install failing with on-failure CONTINUE runs the later phases, and the build still fails', () => {
  const yaml = BUILDSPEC.replace(
    '  install:\n    commands:\n      - npm ci',
    '  install:\n    on-failure: CONTINUE\n    commands:\n      - npm ci\n      - "false"',
  );
  const run = runTask(yaml);
  expect(run.exitCodes).toEqual({ install: 1, 'pre-build': 0, build: 0, 'post-build': 0, finish: 1 });
  expect(run.log).toContain('post_build, succeeding=0');
  expect(run.output).toContain('[install] phase failed (exit code 1, on-failure CONTINUE)');
});

test('a command that exits the shell still counts as the phase failing', () => {
  const yaml = BUILDSPEC.replace('      - cd app', '      - cd app\n      - exit 4');
  const run = runTask(yaml);
  expect(run.exitCodes['pre-build']).toBe(4);
  expect(run.output).toContain('[build] skipped: phase pre_build failed');
  expect(run.exitCodes.finish).toBe(1);
});

test('the cache is restored before the first phase', () => {
  const run = runTask(BUILDSPEC, {
    before: (root) => {
      mkdirSync(join(root, 'cache/node_modules/old-dep'), { recursive: true });
      writeFileSync(join(root, 'cache/node_modules/old-dep/index.js'), 'from the cache\n');
    },
  });
  expect(run.output).toContain('[cache] restored node_modules');
  expect(readFileSync(join(run.root, 'source/node_modules/old-dep/index.js'), 'utf8')).toBe(
    'from the cache\n',
  );
});

test('a BuildJob phase exits 0 and leaves the failure to finish (init containers cannot continue)', () => {
  const run = runTask(BUILDSPEC, { env: { FAIL_TESTS: '1', CDK8S_DEVOPS_PHASE_EXIT: 'zero' } });
  expect(run.exitCodes).toEqual({ install: 0, 'pre-build': 0, build: 0, 'post-build': 0, finish: 1 });
});
