/**
 * The control-plane components the integration tests run, at the versions pinned in versions.ts, built
 * from their Go modules into a cache outside the work tree (rebuilt only when a pinned version changes).
 */
import { existsSync } from 'node:fs';
import { chmod, copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { timedBuild } from './build-times.js';
import type { BuildLog } from './go-build.js';
import { buildIntoDir, CACHE_ROOT, go, goEnv, hasGo } from './go-build.js';
import { ensureTekton } from './tekton.js';
import { ensureUpstreamCrds } from './upstream-crds.js';
import { VERSIONS } from './versions.js';

export const KUBERNETES_COMMANDS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
] as const;

type Module = keyof typeof VERSIONS;

/** One module built into the cache: what it provides and how it is built from source. */
interface Component {
  readonly module: Module;
  /** The files the build leaves in its output folder (executables, and data such as kwok's stages). */
  readonly files: readonly string[];
  /** Builds into `<scratch>/out`; the rest of `scratch` is for a wrapper module. */
  readonly build: (scratch: string, log: BuildLog) => Promise<void>;
}

/**
 * Every component, in the order they are built: one at a time, since a Go build takes every core.
 * Another component (a controller the tests need) is one more entry with its recipe.
 */
const COMPONENTS: readonly Component[] = [
  {
    module: 'kubernetes',
    files: KUBERNETES_COMMANDS,
    build: buildKubernetes,
  },
  { module: 'etcd', files: ['etcd'], build: buildEtcd },
  { module: 'kwok', files: ['kwok', 'stages.yaml'], build: buildKwok },
  {
    module: 'argo-rollouts',
    files: ['rollouts-controller'],
    build: buildArgoRollouts,
  },
  {
    module: 'prometheus',
    files: ['prometheus', 'promtool'],
    build: buildPrometheus,
  },
  {
    module: 'prometheus-operator',
    files: ['prometheus-operator'],
    build: buildPrometheusOperator,
  },
  { module: 'alertmanager', files: ['alertmanager'], build: buildAlertmanager },
];

/** The folder of one built module; the version is part of the path, so a new pin builds anew. */
function moduleDir(module: Module): string {
  return join(CACHE_ROOT, 'bin', `${module}-${VERSIONS[module]}`);
}

function componentOf(file: string): Component {
  const component = COMPONENTS.find((c) => c.files.includes(file));
  if (!component) {
    throw new Error(`no component provides ${file}`);
  }
  return component;
}

/** Where a built executable (or data file) of a component lives in the cache. */
export function binaryPath(file: string): string {
  return join(moduleDir(componentOf(file).module), file);
}

function isBuilt(component: Component): boolean {
  return component.files.every((file) => existsSync(join(moduleDir(component.module), file)));
}

/** Builds whatever is missing from the cache, one component at a time. Returns the path of every file. */
export async function ensureComponents(log: BuildLog = () => {}): Promise<Record<string, string>> {
  await hasGo();
  for (const { module, build } of COMPONENTS.filter((c) => !isBuilt(c))) {
    await timedBuild({ module, version: VERSIONS[module], name: module }, log, () =>
      buildInto(module, (scratch) => build(scratch, log)),
    );
  }
  // Tekton keeps its own module (test/cluster/tekton.ts): one wrapper builds Pipelines and Triggers.
  await ensureTekton(log);
  await ensureUpstreamCrds(log);
  return Object.fromEntries(COMPONENTS.flatMap((c) => c.files.map((f) => [f, binaryPath(f)])));
}

/** Builds into a scratch folder and renames it into place, so an interrupted build leaves no half binary. */
async function buildInto(module: Module, build: (scratch: string) => Promise<void>) {
  await buildIntoDir(moduleDir(module), build);
}

/**
 * kube-apiserver, kube-controller-manager, kube-scheduler and kubectl from k8s.io/kubernetes.
 *
 * `go install k8s.io/kubernetes/cmd/...@version` fails on upstream's replace directives (staging modules
 * at v0.0.0), so a wrapper module requires k8s.io/kubernetes and replaces each staging module with its
 * published v0.x twin, keeps the requirement alive with `tool` directives and copies upstream's godebug.
 */
async function buildKubernetes(scratch: string, log: BuildLog): Promise<void> {
  const version = VERSIONS.kubernetes;
  const staging = `v0.${version.slice(3)}`;
  log(
    `building kube-apiserver, kube-controller-manager, kube-scheduler and kubectl ${version} (first run only)`,
  );
  const download = JSON.parse(
    await go(['mod', 'download', '-json', `k8s.io/kubernetes@${version}`], scratch),
  ) as {
    GoMod: string;
  };
  const upstream = await readFile(download.GoMod, 'utf8');
  const stagingModules = [...upstream.matchAll(/^\s+(k8s\.io\/[\w.-]+) v0\.0\.0$/gm)].map((m) => m[1]);
  const godebug = upstream.match(/^godebug .*$/m)?.[0] ?? '';
  const goDirective = upstream.match(/^go .*$/m)?.[0] ?? 'go 1.26';
  await writeFile(
    join(scratch, 'go.mod'),
    [
      'module cdk8s-devops/kube-components',
      '',
      goDirective,
      '',
      godebug,
      '',
      `require k8s.io/kubernetes ${version}`,
      '',
      'replace (',
      ...stagingModules.map((m) => `\t${m} => ${m} ${staging}`),
      ')',
      '',
      'tool (',
      ...KUBERNETES_COMMANDS.map((c) => `\tk8s.io/kubernetes/cmd/${c}`),
      ')',
      '',
    ].join('\n'),
  );
  await go(['mod', 'tidy'], scratch);
  const [major, minor] = version.slice(1).split('.');
  const ldflags = ['-s', '-w'];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    ldflags.push(
      `-X ${pkg}.gitVersion=${version}`,
      `-X ${pkg}.gitMajor=${major}`,
      `-X ${pkg}.gitMinor=${minor}`,
    );
  }
  await go(
    [
      'build',
      '-trimpath',
      '-ldflags',
      ldflags.join(' '),
      '-o',
      'out/',
      ...KUBERNETES_COMMANDS.map((c) => `k8s.io/kubernetes/cmd/${c}`),
    ],
    scratch,
  );
}

/** etcd's server from go.etcd.io/etcd/server/v3, through a three-line main calling etcdmain.Main. */
async function buildEtcd(scratch: string, log: BuildLog): Promise<void> {
  log(`building etcd ${VERSIONS.etcd} (first run only)`);
  await writeFile(
    join(scratch, 'go.mod'),
    `module cdk8s-devops/etcd\n\ngo 1.26\n\nrequire go.etcd.io/etcd/server/v3 ${VERSIONS.etcd}\n`,
  );
  await writeFile(
    join(scratch, 'main.go'),
    'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n',
  );
  await go(['mod', 'tidy'], scratch);
  await go(['build', '-trimpath', '-ldflags', '-s -w', '-o', 'out/etcd', '.'], scratch);
}

/**
 * The lifecycle stages kwok plays on its nodes and pods (initialize and heartbeat nodes; make pods Ready,
 * complete Job pods, delete pods), taken from the kwok module it is built from.
 */
const KWOK_STAGES = [
  'node/fast/node-initialize.yaml',
  'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'pod/fast/pod-ready.yaml',
  'pod/fast/pod-complete.yaml',
  'pod/fast/pod-delete.yaml',
];

export function kwokStagesPath(): string {
  return join(moduleDir('kwok'), 'stages.yaml');
}

/** kwok has no replace directives, so a plain `go install` builds it. */
async function buildKwok(scratch: string, log: BuildLog): Promise<void> {
  log(`building kwok ${VERSIONS.kwok} (first run only)`);
  const module = JSON.parse(
    await go(['mod', 'download', '-json', `sigs.k8s.io/kwok@${VERSIONS.kwok}`], scratch),
  ) as {
    Dir: string;
  };
  const stages = await Promise.all(
    KWOK_STAGES.map((file) => readFile(join(module.Dir, 'kustomize', 'stage', file), 'utf8')),
  );
  await writeFile(join(scratch, 'out', 'stages.yaml'), stages.join('\n---\n'));
  await go(
    ['install', '-trimpath', '-ldflags', '-s -w', `sigs.k8s.io/kwok/cmd/kwok@${VERSIONS.kwok}`],
    scratch,
    {
      ...goEnv,
      GOFLAGS: '',
      GOBIN: join(scratch, 'out'),
    },
  );
}

/**
 * The Argo Rollouts controller. Its module replaces k8s.io/* and two others, which `go install` refuses,
 * so a wrapper module copies upstream's replace directives, and its main is a copy of upstream's
 * cmd/rollouts-controller (a main package cannot be imported).
 */
async function buildArgoRollouts(scratch: string, log: BuildLog): Promise<void> {
  const version = VERSIONS['argo-rollouts'];
  log(`building the Argo Rollouts controller ${version} (first run only)`);
  const upstream = JSON.parse(
    await go(['mod', 'download', '-json', `github.com/argoproj/argo-rollouts@${version}`], scratch),
  ) as { Dir: string; GoMod: string; Origin?: { Hash?: string } };
  const replaces = (await readFile(upstream.GoMod, 'utf8')).match(/^replace[\s\S]*/m)?.[0] ?? '';
  await writeFile(
    join(scratch, 'go.mod'),
    `module cdk8s-devops/argo-rollouts\n\ngo 1.26\n\nrequire github.com/argoproj/argo-rollouts ${version}\n\n${replaces}`,
  );
  await copyFile(join(upstream.Dir, 'cmd', 'rollouts-controller', 'main.go'), join(scratch, 'main.go'));
  await chmod(join(scratch, 'main.go'), 0o644);
  await go(['mod', 'tidy'], scratch);
  // What upstream's Makefile stamps, so that `--version` reports the release.
  const stamp = (name: string, value: string) =>
    `-X github.com/argoproj/argo-rollouts/utils/version.${name}=${value}`;
  const ldflags = [
    '-s -w',
    stamp('version', version.slice(1)),
    stamp('gitTag', version),
    stamp('gitCommit', upstream.Origin?.Hash ?? 'unknown'),
    stamp('gitTreeState', 'clean'),
  ].join(' ');
  await go(['build', '-trimpath', '-ldflags', ldflags, '-o', 'out/rollouts-controller', '.'], scratch);
}

/**
 * Prometheus and promtool, built inside their own module (no wrapper needed: it has no replace
 * directives). GOWORK=off because the module ships a go.work naming folders the module zip leaves out.
 * Without the `builtinassets` tag the web UI is left out; the HTTP API is all the tests use. Of the
 * service discoveries only Kubernetes' is built in (upstream's `remove_all_sd` and `enable_*_sd` tags),
 * which leaves out the cloud SDKs and most of the build time.
 */
async function buildPrometheus(scratch: string, log: BuildLog): Promise<void> {
  const out = join(scratch, 'out');
  const version = VERSIONS.prometheus;
  log(`building Prometheus and promtool ${version} (first run only)`);
  const upstream = JSON.parse(
    await go(['mod', 'download', '-json', `github.com/prometheus/prometheus@${version}`], out),
  ) as { Dir: string };
  const release = (await readFile(join(upstream.Dir, 'VERSION'), 'utf8')).trim();
  await go(
    [
      'build',
      '-trimpath',
      '-tags',
      'remove_all_sd,enable_kubernetes_sd',
      '-ldflags',
      `-s -w -X github.com/prometheus/common/version.Version=${release}`,
      '-o',
      `${out}/`,
      './cmd/prometheus',
      './cmd/promtool',
    ],
    upstream.Dir,
    { ...goEnv, GOWORK: 'off' },
  );
}

/** What the Prometheus projects stamp into `--version` (github.com/prometheus/common/version). */
function versionStamp(version: string): string {
  return `-s -w -X github.com/prometheus/common/version.Version=${version.slice(1)}`;
}

/**
 * The Prometheus Operator. Its module replaces two of its own packages with folders of itself, which
 * `go install` refuses, so a wrapper module requires it alone (the published twins of those packages
 * come with it) and names the command in a `tool` directive. Alertmanager is not required beside it: the
 * operator needs the config types of the Alertmanager it requires, which a newer one breaks.
 */
async function buildPrometheusOperator(scratch: string, log: BuildLog): Promise<void> {
  const version = VERSIONS['prometheus-operator'];
  const command = 'github.com/prometheus-operator/prometheus-operator/cmd/operator';
  log(`building the Prometheus Operator ${version} (first run only)`);
  await writeFile(
    join(scratch, 'go.mod'),
    [
      'module cdk8s-devops/prometheus-operator',
      '',
      'go 1.26',
      '',
      `require github.com/prometheus-operator/prometheus-operator ${version}`,
      '',
      `tool ${command}`,
      '',
    ].join('\n'),
  );
  // No `go mod tidy`: it resolves the tests of every dependency, some of whose modules are not served;
  // the build (-mod=mod) resolves only what the command imports.
  await go(
    ['build', '-trimpath', '-ldflags', versionStamp(version), '-o', 'out/prometheus-operator', command],
    scratch,
  );
}

/** Alertmanager has no replace directives, so a plain `go install` builds it (see versions.ts for why v0.28). */
async function buildAlertmanager(scratch: string, log: BuildLog): Promise<void> {
  const version = VERSIONS.alertmanager;
  log(`building Alertmanager ${version} (first run only)`);
  await go(
    [
      'install',
      '-trimpath',
      '-ldflags',
      versionStamp(version),
      `github.com/prometheus/alertmanager/cmd/alertmanager@${version}`,
    ],
    scratch,
    { ...goEnv, GOFLAGS: '', GOBIN: join(scratch, 'out') },
  );
}
