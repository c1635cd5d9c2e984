/**
 * Flux's source-controller and kustomize-controller, built from their Go modules into the component cache
 * and run outside the cluster against the test control plane (as `make run` runs them upstream), so that
 * the GitOps objects the project writes are reconciled by the real engine. Their CRDs come from the same
 * modules at the same pin (VERSIONS.flux; see upstream-crds.ts), so controllers and CRDs are one version.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePorts } from './ports.js';
import { timedBuild } from './build-times.js';
import type { BuildLog } from './go-build.js';
import { buildIntoDir, CACHE_ROOT, go } from './go-build.js';
import { VERSIONS } from './versions.js';

const FLUX_VERSION = VERSIONS.flux;

export const FLUX_CONTROLLERS = ['source-controller', 'kustomize-controller'] as const;
export type FluxController = (typeof FLUX_CONTROLLERS)[number];

/**
 * Replaces the controllers' own go.mod lacks: a module the proxy does not serve (source-controller's
 * `fluxcd/pkg/artifact` v0.18.3) is replaced with the nearest one it serves.
 */
const EXTRA_REPLACES: readonly string[] = [
  'github.com/fluxcd/pkg/artifact => github.com/fluxcd/pkg/artifact v0.18.0',
];

/** One folder for both: one wrapper module builds them, so what they share compiles once. */
function fluxDir(): string {
  return join(CACHE_ROOT, 'bin', `flux-${FLUX_VERSION}`);
}

export function fluxBinary(controller: FluxController): string {
  return join(fluxDir(), controller);
}

/** Builds both controllers unless the cache has them. */
export async function ensureFlux(log: BuildLog): Promise<void> {
  if (FLUX_CONTROLLERS.every((c) => existsSync(fluxBinary(c)))) {
    return;
  }
  log(`building Flux ${FLUX_CONTROLLERS.join(' and ')} ${FLUX_VERSION} (first run only)`);
  const what = { module: 'flux', version: FLUX_VERSION, name: `Flux ${FLUX_CONTROLLERS.join(' and ')}` };
  await timedBuild(what, log, () => buildIntoDir(fluxDir(), buildControllers));
}

/**
 * `go install` refuses a module with replace directives, so a wrapper module requires both controllers
 * (their Kubernetes, controller-runtime and fluxcd/pkg versions agree, so one `go build` compiles them
 * once), copies upstream's replaces that name a module version (not each one's `./api` folder, which
 * the published api module stands for) and names the controllers' main packages in `tool` directives.
 * `go mod tidy` fails on test-only modules the proxy does not serve; `-mod=mod` (goEnv) resolves only
 * what the build needs.
 */
async function buildControllers(scratch: string): Promise<void> {
  const modules = FLUX_CONTROLLERS.map((c) => `github.com/fluxcd/${c}`);
  const replaces = new Map<string, string>();
  let goDirective = 'go 1.26';
  for (const module of modules) {
    const upstream = JSON.parse(
      await go(['mod', 'download', '-json', `${module}@${FLUX_VERSION}`], scratch),
    ) as { GoMod: string };
    const goMod = await readFile(upstream.GoMod, 'utf8');
    goDirective = goMod.match(/^go .*$/m)?.[0] ?? goDirective;
    for (const [, replace] of goMod.matchAll(/^(?:replace\s+|\t)([\w./-]+ => [\w./-]+ v\S+)$/gm)) {
      addReplace(replaces, replace, module);
    }
  }
  // Ours win over upstream's.
  EXTRA_REPLACES.forEach((r) => replaces.set(r.split(' => ')[0], r));
  await writeFile(
    join(scratch, 'go.mod'),
    [
      'module cdk8s-devops/flux',
      '',
      goDirective,
      '',
      'require (',
      ...modules.map((m) => `\t${m} ${FLUX_VERSION}`),
      ')',
      '',
      'replace (',
      ...[...replaces.values()].map((r) => `\t${r}`),
      ')',
      '',
      'tool (',
      ...modules.map((m) => `\t${m}`),
      ')',
      '',
    ].join('\n'),
  );
  await go(['build', '-trimpath', '-ldflags', '-s -w', '-o', 'out/', ...modules], scratch);
}

/** Adds upstream's `old => new version`; two controllers' replaces of one module must agree. */
function addReplace(replaces: Map<string, string>, replace: string, from: string): void {
  const old = replace.split(' => ')[0];
  const earlier = replaces.get(old);
  if (earlier !== undefined && earlier !== replace) {
    throw new Error(
      `the Flux controllers ${FLUX_VERSION} replace ${old} differently (${earlier}; ${replace} in ${from}): build them in separate wrapper modules`,
    );
  }
  replaces.set(old, replace);
}

export const FLUX_NAMESPACE = 'flux-system';

export interface FluxLaunch {
  readonly kubeconfig: string;
  readonly dataDir: string;
  readonly log: BuildLog;
  launch(name: string, binary: string, args: string[], env: Record<string, string>): void;
}

/**
 * Creates Flux's namespace and starts both controllers (the harness installed their CRDs). Every port
 * is a free one on loopback: source-controller advertises its artifact server there, and
 * kustomize-controller downloads the artifacts from it, as it would from the Service in a cluster.
 * Returns the controllers' health URLs, for the caller to wait on.
 */
export async function startFlux(context: FluxLaunch): Promise<Record<FluxController, string>> {
  const { KubeConfig, CoreV1Api } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(context.kubeconfig);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: FLUX_NAMESPACE } } });
  const storagePath = join(context.dataDir, 'flux-artifacts');
  await mkdir(storagePath); // source-controller refuses a storage path that does not exist
  const [storage, ...ports] = await freePorts(5);
  const env = { KUBECONFIG: context.kubeconfig, RUNTIME_NAMESPACE: FLUX_NAMESPACE };
  const health: Partial<Record<FluxController, string>> = {};
  context.log(`starting Flux ${FLUX_VERSION} source-controller and kustomize-controller`);
  for (const [index, controller] of FLUX_CONTROLLERS.entries()) {
    const [metrics, healthz] = ports.slice(index * 2, index * 2 + 2);
    const own =
      controller === 'source-controller'
        ? [
            `--storage-path=${storagePath}`,
            `--storage-addr=127.0.0.1:${storage}`,
            `--storage-adv-addr=127.0.0.1:${storage}`,
          ]
        : [];
    context.launch(
      controller,
      fluxBinary(controller),
      [
        `--metrics-addr=127.0.0.1:${metrics}`,
        `--health-addr=127.0.0.1:${healthz}`,
        '--log-level=info',
        '--watch-all-namespaces=true',
        ...own,
      ],
      env,
    );
    health[controller] = `http://127.0.0.1:${healthz}/readyz`;
  }
  return health as Record<FluxController, string>;
}
