/**
 * The Tekton Pipelines and Triggers controllers, built from their Go modules into the component cache and
 * run outside the cluster against the test control plane, so that PipelineRuns really run.
 *
 * kwok runs no container: a kwok Stage (tekton-stage.ts) plays each Tekton pod's steps, so TaskRuns and
 * PipelineRuns succeed or fail in the order Tekton decides, results included.
 */
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { freePorts } from './ports.js';
import { timedBuild } from './build-times.js';
import type { BuildLog } from './go-build.js';
import { buildIntoDir, CACHE_ROOT, go } from './go-build.js';
import { VERSIONS } from './versions.js';
import { HARNESS_WAIT_MS } from './watch-until.js';
import { parseYaml } from '../util/yaml.js';

const TEKTON_VERSIONS = {
  pipeline: VERSIONS['tekton-pipeline'],
  triggers: VERSIONS['tekton-triggers'],
} as const;

/** One folder for both: Triggers requires Pipelines (same knative), so one wrapper module builds all four. */
export function tektonDir(): string {
  return join(
    CACHE_ROOT,
    'bin',
    `tekton-pipeline-${TEKTON_VERSIONS.pipeline}-triggers-${TEKTON_VERSIONS.triggers}`,
  );
}

export const TEKTON_COMMANDS = [
  'pipelines-controller',
  'triggers-controller',
  'triggers-interceptors',
  'eventlistenersink',
] as const;
export type TektonCommand = (typeof TEKTON_COMMANDS)[number];

export function tektonBinary(name: TektonCommand): string {
  return join(tektonDir(), name);
}

/** The upstream ConfigMaps (config/config-*.yaml of each module), copied beside the binaries. */
export function tektonConfigDir(project: keyof typeof TEKTON_VERSIONS): string {
  return join(tektonDir(), `config-${project}`);
}

const MAINS = join(import.meta.dirname, 'tekton');

/** Builds the Tekton binaries unless the cache has them. */
export async function ensureTekton(log: BuildLog): Promise<void> {
  if (TEKTON_COMMANDS.every((c) => existsSync(tektonBinary(c)))) {
    await writeFile(tektonKwokStagePath(), TEKTON_KWOK_STAGE);
    return;
  }
  log(
    `building Tekton Pipelines ${TEKTON_VERSIONS.pipeline} and Triggers ${TEKTON_VERSIONS.triggers} controllers (first run only)`,
  );
  const what = {
    module: 'tekton',
    version: `${TEKTON_VERSIONS.pipeline}+${TEKTON_VERSIONS.triggers}`,
    name: 'the Tekton controllers',
  };
  await timedBuild(what, log, () => buildTekton());
  await writeFile(tektonKwokStagePath(), TEKTON_KWOK_STAGE);
}

/** One wrapper module builds the four commands; the upstream ConfigMaps are copied beside them. */
async function buildTekton(): Promise<void> {
  await buildIntoDir(tektonDir(), async (scratch) => {
    // `go install github.com/tektoncd/pipeline/cmd/controller@v1.15.0` fails (the proxy lists no versions
    // for it), so a wrapper module requires both projects; its own mains (test/cluster/tekton/) run the
    // controllers without knative's fixed-port probe server and the interceptors on a port of our choice.
    const sink = 'github.com/tektoncd/triggers/cmd/eventlistenersink';
    await writeFile(
      join(scratch, 'go.mod'),
      [
        'module cdk8s-devops/tekton',
        '',
        'go 1.26.4',
        '',
        'require (',
        `\tgithub.com/tektoncd/pipeline ${TEKTON_VERSIONS.pipeline}`,
        `\tgithub.com/tektoncd/triggers ${TEKTON_VERSIONS.triggers}`,
        ')',
        '',
        `tool ${sink}`,
        '',
      ].join('\n'),
    );
    const mains = TEKTON_COMMANDS.filter((c) => c !== 'eventlistenersink');
    for (const main of mains) {
      await mkdir(join(scratch, 'cmd', main), { recursive: true });
      await copyFile(join(MAINS, main, 'main.go'), join(scratch, 'cmd', main, 'main.go'));
    }
    await go(['mod', 'tidy'], scratch);
    await go(
      ['build', '-trimpath', '-ldflags', '-s -w', '-o', 'out/', ...mains.map((m) => `./cmd/${m}`), sink],
      scratch,
    );
    for (const [project, module] of [
      ['pipeline', 'github.com/tektoncd/pipeline'],
      ['triggers', 'github.com/tektoncd/triggers'],
    ] as const) {
      const { Dir } = JSON.parse(
        await go(['mod', 'download', '-json', `${module}@${TEKTON_VERSIONS[project]}`], scratch),
      ) as { Dir: string };
      const target = join(scratch, 'out', `config-${project}`);
      await mkdir(target);
      for (const file of (await readdir(join(Dir, 'config'))).filter((f) => /^config-.*\.yaml$/.test(f))) {
        await writeFile(join(target, file), await readFile(join(Dir, 'config', file), 'utf8'));
      }
    }
  });
}

/** The annotation (on a Task, which Tekton copies to its pods) naming the steps kwok fails with exit code 1. */
export const FAIL_STEPS_ANNOTATION = 'kwok.cdk8s-devops.io/fail-steps';
/**
 * The annotation (on a Task) holding the results its pods report, as the entries of Tekton's termination
 * message: `{"key":"commit","value":"abc123","type":1}`, comma-separated.
 */
export const RESULTS_ANNOTATION = 'kwok.cdk8s-devops.io/results';

/**
 * The kwok Stage that plays a Tekton pod: once the controller has marked it ready to start
 * (`tekton.dev/ready: READY`), every step container terminates, with exit code 1 for the steps the Task's
 * fail-steps annotation names and 0 for the others, and a termination message in Tekton's format
 * (StartedAt in RFC 3339 with milliseconds, the results of the results annotation on the last step).
 */
export const TEKTON_KWOK_STAGE = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: tekton-pod-complete
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values: ['Running']
    - key: '.metadata.labels."app.kubernetes.io/managed-by"'
      operator: 'In'
      values: ['tekton-pipelines']
    - key: '.metadata.annotations."tekton.dev/ready"'
      operator: 'In'
      values: ['READY']
  weight: 10
  next:
    statusTemplate: |
      {{ $now := dateInZone "2006-01-02T15:04:05.000Z07:00" now "UTC" }}
      {{ $root := . }}
      {{ $fail := splitList "," (index .metadata.annotations "${FAIL_STEPS_ANNOTATION}" | default "") }}
      {{ $results := index .metadata.annotations "${RESULTS_ANNOTATION}" | default "" }}
      {{ $last := sub (len .spec.containers) 1 }}
      {{ $failed := false }}
      containerStatuses:
      {{ range $index, $item := .spec.containers }}
      {{ $code := 0 }}
      {{ if has (trimPrefix "step-" $item.name) $fail }}{{ $code = 1 }}{{ $failed = true }}{{ end }}
      {{ $message := printf "[{\\"key\\":\\"StartedAt\\",\\"value\\":\\"%s\\",\\"type\\":3}%s]" $now (ternary (printf ",%s" $results) "" (and (eq $index $last) (ne $results ""))) }}
      - image: {{ $item.image | Quote }}
        name: {{ $item.name | Quote }}
        ready: false
        restartCount: 0
        started: false
        state:
          terminated:
            exitCode: {{ $code }}
            finishedAt: {{ $now | Quote }}
            reason: {{ ternary "Error" "Completed" (eq $code 1) }}
            startedAt: {{ $now | Quote }}
            message: {{ $message | Quote }}
      {{ end }}
      phase: {{ ternary "Failed" "Succeeded" $failed }}
`;

export function tektonKwokStagePath(): string {
  return join(tektonDir(), 'kwok-stage.yaml');
}

export interface TektonLaunch {
  readonly kubeconfig: string;
  readonly dataDir: string;
  readonly log: BuildLog;
  launch(name: string, binary: string, args: string[], env: Record<string, string>): void;
}

export const TEKTON_NAMESPACE = 'tekton-pipelines';

/** What the test cluster changes in Tekton's own config: no metrics server (fixed ports), no coschedule. */
const CONFIG_OVERRIDES: Record<string, Record<string, string>> = {
  'config-observability': { 'metrics-protocol': 'none' },
  'config-observability-triggers': { 'metrics-protocol': 'none' },
  // Steps get Tekton's restricted security context, so Task pods pass Pod Security "restricted".
  'feature-flags': { 'set-security-context': 'true', coschedule: 'disabled' },
};

/** The ClusterInterceptors of Triggers' core interceptors server that the project's triggers use. */
const CORE_INTERCEPTORS = ['github', 'gitlab', 'cel'] as const;

/**
 * Creates Tekton's namespace and ConfigMaps, and starts the Pipelines controller, the Triggers controller
 * and the core interceptors server. EventListener sinks are started by the tests that need one
 * (`startEventListenerSink`), as the EventListener's own ServiceAccount.
 */
export async function startTekton(context: TektonLaunch): Promise<void> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(context.kubeconfig);
  await createTektonConfig(kc);
  // The interceptors server names its certificate after INTERCEPTOR_TLS_SVC_NAME: "localhost", so that
  // the sink can reach it on loopback (a Service's DNS name does not resolve outside a cluster).
  const [interceptorsPort] = await freePorts(1);
  await createCoreInterceptors(kc, interceptorsPort);
  startTriggers(context, interceptorsPort);
  startPipelines(context);
}

/** Tekton's namespace, and its upstream ConfigMaps with CONFIG_OVERRIDES. */
async function createTektonConfig(kc: KubeConfig): Promise<void> {
  const { CoreV1Api } = await import('@kubernetes/client-node');
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: TEKTON_NAMESPACE } } });
  for (const project of ['pipeline', 'triggers'] as const) {
    for (const file of await readdir(tektonConfigDir(project))) {
      const configMap = parseYaml(await readFile(join(tektonConfigDir(project), file), 'utf8')) as {
        metadata: { name: string; namespace?: string };
        data?: Record<string, string>;
      };
      const name = configMap.metadata.name;
      await core.createNamespacedConfigMap({
        namespace: TEKTON_NAMESPACE,
        body: {
          metadata: { name },
          data: { ...configMap.data, ...CONFIG_OVERRIDES[name] },
        },
      });
    }
  }
}

/** The interceptors server's certificate Secret (it fills it), and the ClusterInterceptors served there. */
async function createCoreInterceptors(kc: KubeConfig, port: number): Promise<void> {
  const { CoreV1Api } = await import('@kubernetes/client-node');
  await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace: TEKTON_NAMESPACE,
    body: { metadata: { name: 'tekton-triggers-core-interceptors-certs' } },
  });
  const { ApiClient } = await import('../../client/transport/api-client.js');
  const api = ApiClient.fromKubeConfig(kc);
  for (const name of CORE_INTERCEPTORS) {
    await api.request({
      method: 'POST',
      path: '/apis/triggers.tekton.dev/v1alpha1/clusterinterceptors',
      body: {
        apiVersion: 'triggers.tekton.dev/v1alpha1',
        kind: 'ClusterInterceptor',
        metadata: { name, labels: { 'server/type': 'https' } },
        spec: { clientConfig: { url: `https://localhost:${port}/${name}` } },
      },
    });
  }
}

function startTriggers(context: TektonLaunch, interceptorsPort: number): void {
  const triggersEnv = {
    SYSTEM_NAMESPACE: TEKTON_NAMESPACE,
    KUBERNETES_MIN_VERSION: 'v1.28.0',
    CONFIG_LOGGING_NAME: 'config-logging-triggers',
    CONFIG_OBSERVABILITY_NAME: 'config-observability-triggers',
    CONFIG_DEFAULTS_NAME: 'config-defaults-triggers',
    CONFIG_LEADERELECTION_NAME: 'config-leader-election-triggers-controller',
    METRICS_DOMAIN: 'tekton.dev/triggers',
    // The port an EventListener's Deployment exposes its metrics on; without it every EventListener's
    // reconcile fails with `strconv.ParseInt: parsing ""` (upstream's config/controller.yaml sets 9000).
    METRICS_PROMETHEUS_PORT: '9000',
  };
  context.log('starting the Tekton Triggers controller and core interceptors');
  context.launch(
    'tekton-triggers-controller',
    tektonBinary('triggers-controller'),
    [`--kubeconfig=${context.kubeconfig}`, '-el-image=tekton/eventlistenersink:test'],
    triggersEnv,
  );
  context.launch(
    'tekton-triggers-interceptors',
    tektonBinary('triggers-interceptors'),
    [`--kubeconfig=${context.kubeconfig}`, `-port=${interceptorsPort}`],
    {
      ...triggersEnv,
      INTERCEPTOR_TLS_SVC_NAME: 'localhost',
      INTERCEPTOR_TLS_SECRET_NAME: 'tekton-triggers-core-interceptors-certs',
    },
  );
}

function startPipelines(context: TektonLaunch): void {
  context.log('starting the Tekton Pipelines controller');
  context.launch(
    'tekton-pipelines-controller',
    tektonBinary('pipelines-controller'),
    [
      `--kubeconfig=${context.kubeconfig}`,
      '--disable-ha',
      // Nothing is pulled on kwok nodes: any names do.
      '--entrypoint-image=tekton/entrypoint:test',
      '--nop-image=tekton/nop:test',
      '--sidecarlogresults-image=tekton/sidecarlogresults:test',
      '--workingdirinit-image=tekton/workingdirinit:test',
      '--shell-image=tekton/shell:test',
      '--shell-image-win=tekton/shell-win:test',
    ],
    {
      SYSTEM_NAMESPACE: TEKTON_NAMESPACE,
      KUBERNETES_MIN_VERSION: 'v1.28.0',
      CONFIG_DEFAULTS_NAME: 'config-defaults',
      CONFIG_LOGGING_NAME: 'config-logging',
      CONFIG_OBSERVABILITY_NAME: 'config-observability',
      CONFIG_FEATURE_FLAGS_NAME: 'feature-flags',
      CONFIG_LEADERELECTION_NAME: 'config-leader-election-controller',
      CONFIG_SPIRE: 'config-spire',
      METRICS_DOMAIN: 'tekton.dev/pipeline',
    },
  );
}

export interface EventListenerSink {
  /** The sink's URL, for webhooks. */
  readonly url: string;
  /** The sink's log so far. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Runs Triggers' EventListener sink for one EventListener on loopback, as the Triggers controller would
 * run it in the EventListener's Deployment: with the kubeconfig of the EventListener's ServiceAccount, so
 * that it can do exactly what that account may.
 */
export async function startEventListenerSink(options: {
  readonly kubeconfig: string;
  readonly name: string;
  readonly namespace: string;
}): Promise<EventListenerSink> {
  const { spawn } = await import('node:child_process');
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const [port, metricsPort] = await freePorts(2);
  const dir = await mkdtemp(join(tmpdir(), 'el-sink-'));
  const logFile = join(dir, 'sink.log');
  const { openSync, closeSync, readFileSync } = await import('node:fs');
  const fd = openSync(logFile, 'a');
  const child = spawn(
    tektonBinary('eventlistenersink'),
    [
      `--kubeconfig=${options.kubeconfig}`,
      `-el-name=${options.name}`,
      `-el-namespace=${options.namespace}`,
      `-port=${port}`,
    ],
    {
      stdio: ['ignore', fd, fd],
      env: {
        ...process.env,
        SYSTEM_NAMESPACE: TEKTON_NAMESPACE,
        NAMESPACE: options.namespace,
        NAME: options.name,
        EL_EVENT: 'disable',
        K_SINK_TIMEOUT: '60',
        METRICS_PROMETHEUS_PORT: String(metricsPort),
        CONFIG_LOGGING_NAME: 'config-logging-triggers',
        CONFIG_OBSERVABILITY_NAME: 'config-observability-triggers',
        KUBERNETES_MIN_VERSION: 'v1.28.0',
      },
    },
  );
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  const log = () => readFileSync(logFile, 'utf8');
  const deadline = Date.now() + HARNESS_WAIT_MS;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`the EventListener sink exited with code ${child.exitCode}:\n${log()}`);
    }
    try {
      const res = await fetch(`${url}/live`);
      if (res.ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `the EventListener sink did not come up within ${HARNESS_WAIT_MS / 1000}s (the machine may be too loaded):\n${log()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    log,
    stop: async () => {
      // The sink drains for a long while on SIGTERM; a test's sink has nothing left to drain.
      const exited = new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
