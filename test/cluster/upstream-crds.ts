/**
 * The CustomResourceDefinitions of the projects whose objects the library writes, taken from each
 * project's Go module at the version pinned in versions.ts, as its release ships them. Nothing is
 * built: the files are read from the module zip that `go mod download` fetches and verifies, and kept in
 * the component cache.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import type { BuildLog } from './go-build.js';
import { buildIntoDir, CACHE_ROOT, goEnv } from './go-build.js';
import { VERSIONS } from './versions.js';

const run = promisify(execFile);

/** One project's CRDs: where they are in its module, and the file names taken. */
interface CrdSource {
  /** The cache folder's name, and the first part of a CRD's reference (`argo-rollouts/rollout-crd.yaml`). */
  readonly project: string;
  readonly module: string;
  readonly version: string;
  /** The folder in the module that holds the files. */
  readonly folder: string;
  readonly files: readonly string[];
}

const TEKTON_PIPELINE_KINDS = [
  'customrun',
  'pipeline',
  'pipelinerun',
  'resolutionrequest',
  'stepaction',
  'task',
  'taskrun',
  'verificationpolicy',
];
const TEKTON_TRIGGERS_KINDS = [
  'clusterinterceptor',
  'clustertriggerbinding',
  'eventlistener',
  'interceptor',
  'trigger',
  'triggerbinding',
  'triggertemplate',
];
/** The kinds the library writes, and those the operator's controllers watch (it waits for every one). */
const PROMETHEUS_OPERATOR_KINDS = [
  'alertmanagerconfigs',
  'alertmanagers',
  'podmonitors',
  'probes',
  'prometheusagents',
  'prometheuses',
  'prometheusrules',
  'scrapeconfigs',
  'servicemonitors',
  'thanosrulers',
];

const FLUX_SOURCE_KINDS = [
  'buckets',
  'externalartifacts',
  'gitrepositories',
  'helmcharts',
  'helmrepositories',
  'ocirepositories',
];

const CRD_SOURCES: readonly CrdSource[] = [
  {
    project: 'argo-rollouts',
    module: 'github.com/argoproj/argo-rollouts',
    version: VERSIONS['argo-rollouts'],
    folder: 'manifests/crds',
    files: ['analysis-run', 'analysis-template', 'cluster-analysis-template', 'experiment', 'rollout'].map(
      (kind) => `${kind}-crd.yaml`,
    ),
  },
  {
    project: 'argo-cd',
    module: 'github.com/argoproj/argo-cd/v3',
    version: VERSIONS['argo-cd'],
    folder: 'manifests/crds',
    files: ['application-crd.yaml', 'appproject-crd.yaml', 'applicationset-crd.yaml'],
  },
  {
    project: 'tekton-pipelines',
    module: 'github.com/tektoncd/pipeline',
    version: VERSIONS['tekton-pipeline'],
    folder: 'config/300-crds',
    files: TEKTON_PIPELINE_KINDS.map((kind) => `300-${kind}.yaml`),
  },
  {
    project: 'tekton-triggers',
    module: 'github.com/tektoncd/triggers',
    version: VERSIONS['tekton-triggers'],
    folder: 'config',
    files: TEKTON_TRIGGERS_KINDS.map((kind) => `300-${kind}.yaml`),
  },
  {
    project: 'prometheus-operator',
    module: 'github.com/prometheus-operator/prometheus-operator',
    version: VERSIONS['prometheus-operator'],
    folder: 'example/prometheus-operator-crd',
    files: PROMETHEUS_OPERATOR_KINDS.map((plural) => `monitoring.coreos.com_${plural}.yaml`),
  },
  {
    project: 'flux-kustomize-controller',
    module: 'github.com/fluxcd/kustomize-controller',
    version: VERSIONS.flux,
    folder: 'config/crd/bases',
    files: ['kustomize.toolkit.fluxcd.io_kustomizations.yaml'],
  },
  {
    project: 'flux-source-controller',
    module: 'github.com/fluxcd/source-controller',
    version: VERSIONS.flux,
    folder: 'config/crd/bases',
    // Every kind: source-controller and kustomize-controller watch each one, and do not start without it.
    files: FLUX_SOURCE_KINDS.map((plural) => `source.toolkit.fluxcd.io_${plural}.yaml`),
  },
];

/**
 * Argo CD's ApplicationSet CRD is 1.5 MB, four times any other: the test that needs it installs it, so
 * that every control plane's setup stays fast.
 */
export const ON_DEMAND_CRDS: readonly string[] = ['argo-cd/applicationset-crd.yaml'];

function sourceDir(source: CrdSource): string {
  return join(CACHE_ROOT, 'crds', `${source.project}-${source.version}`);
}

function sourceOf(reference: string): CrdSource {
  const [project, file] = reference.split('/');
  const source = CRD_SOURCES.find((s) => s.project === project && s.files.includes(file));
  if (!source) {
    throw new Error(`no CRD source provides ${reference}: add it to CRD_SOURCES in ${import.meta.filename}`);
  }
  return source;
}

/** Where a CRD file (`<project>/<file>`) is kept once `ensureUpstreamCrds` has run. */
function upstreamCrdPath(reference: string): string {
  return join(sourceDir(sourceOf(reference)), reference.split('/')[1]);
}

/** Every CRD file's reference, `<project>/<file>`. */
export function allCrdReferences(): string[] {
  return CRD_SOURCES.flatMap((source) => source.files.map((file) => `${source.project}/${file}`));
}

export async function readUpstreamCrd(reference: string): Promise<string> {
  return readFile(upstreamCrdPath(reference), 'utf8');
}

/** Takes the CRD files of every source that the cache does not hold yet from its module's zip. */
export async function ensureUpstreamCrds(log: BuildLog = () => {}): Promise<void> {
  const missing = CRD_SOURCES.filter((s) => !s.files.every((file) => existsSync(join(sourceDir(s), file))));
  await Promise.all(
    missing.map((source) =>
      buildIntoDir(sourceDir(source), async (scratch) => {
        log(`taking the CRDs of ${source.module} ${source.version} from its module (first run only)`);
        const files = unzipSync(await readFile(await moduleZip(source, scratch)), {
          filter: (entry) => source.files.some((file) => entry.name === entryName(source, file)),
        });
        for (const file of source.files) {
          const data = files[entryName(source, file)];
          if (!data) {
            throw new Error(`${entryName(source, file)} is not in the module's zip: fix CRD_SOURCES`);
          }
          await writeFile(join(scratch, 'out', file), data);
        }
      }),
    ),
  );
}

function entryName(source: CrdSource, file: string): string {
  return `${source.module}@${source.version}/${source.folder}/${file}`;
}

/**
 * The module's zip in Go's module cache. A module that requires a newer Go than the machine's (Argo CD's)
 * is fetched and verified against the checksum database, but `go mod download` then refuses to extract it
 * and exits non-zero: its verified zip is what is read.
 */
async function moduleZip(source: CrdSource, scratch: string): Promise<string> {
  const module = `${source.module}@${source.version}`;
  const output = await run('go', ['mod', 'download', '-json', module], { cwd: scratch, env: goEnv }).then(
    (r) => r.stdout,
    (error: { stdout?: string; message: string }) => error.stdout || error.message,
  );
  let download: { Zip?: string; Error?: string } = {};
  try {
    download = JSON.parse(output) as typeof download;
  } catch {
    // Not JSON: `go` itself failed; the output says why.
  }
  if (!download.Zip || !existsSync(download.Zip)) {
    throw new Error(`go mod download ${module} failed: ${download.Error ?? output}`);
  }
  return download.Zip;
}
