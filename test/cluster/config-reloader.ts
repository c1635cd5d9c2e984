/**
 * The harness's stand-in for the operator's config-reloader sidecar, for a Prometheus and an Alertmanager
 * running out of cluster: it reads what the Prometheus Operator generates (the Secret
 * `prometheus-<name>` with `prometheus.yaml.gz`, the ConfigMaps `prometheus-<name>-rulefiles-*`, the
 * Secret `alertmanager-<name>-generated` with `alertmanager.yaml.gz`), writes it to files with only the
 * changes operator-config.ts lists, and asks each process to reload (`POST /-/reload`) when it changes.
 *
 * Run as `node --import tsx config-reloader.ts '<ReloaderOptions as JSON>'`.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { KubeConfig } from '@kubernetes/client-node';
import { parseYaml, toYaml } from '../util/yaml.js';
import { ApiClient, ApiError } from '../../client/transport/api-client.js';
import type { OutOfCluster } from './operator-config.js';
import { outOfClusterPrometheusConfig } from './operator-config.js';

export interface ReloaderOptions extends OutOfCluster {
  readonly namespace: string;
  /** The name of the Prometheus object and of the Alertmanager object. */
  readonly name: string;
  /** Where the configuration files are written. */
  readonly prometheusConfig: string;
  readonly alertmanagerConfig: string;
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
}

interface Secret {
  data?: Record<string, string>;
}
interface ConfigMapList {
  items: { metadata: { name: string }; data?: Record<string, string> }[];
}

/** One generated file (and the rules beside it), followed: written when it changes, then reloaded. */
class Follower {
  private written = '';
  private reloadPending = false;

  public constructor(
    private readonly name: string,
    private readonly file: string,
    private readonly url: string,
  ) {}

  /** Writes `content` (and the files `extra` writes, which `followed` includes) when `followed` changed. */
  public async update(content: string, followed = content, extra: () => Promise<void> = async () => {}) {
    if (followed !== this.written) {
      await extra();
      await writeAtomically(this.file, content);
      this.written = followed;
      this.reloadPending = true;
      console.log(`${new Date().toISOString()} ${this.name}: new configuration written`);
    }
    if (this.reloadPending) {
      this.reloadPending = !(await reload(this.name, this.url));
    }
  }
}

/** Whether the process took the new configuration; it reads the file anyway when it is not up yet. */
async function reload(name: string, url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    if (!response.ok) {
      console.log(`${name}: reload refused: HTTP ${response.status} ${await response.text()}`);
    }
    return true;
  } catch {
    return false;
  }
}

async function writeAtomically(file: string, content: string): Promise<void> {
  await writeFile(`${file}.tmp`, content);
  await rename(`${file}.tmp`, file);
}

async function gunzippedKey(api: ApiClient, path: string, key: string): Promise<string | undefined> {
  try {
    const secret = await api.request<Secret>({ method: 'GET', path });
    const data = secret.data?.[key];
    return data === undefined ? undefined : gunzipSync(Buffer.from(data, 'base64')).toString('utf8');
  } catch (error) {
    if (error instanceof ApiError && error.code === 404) {
      return undefined;
    }
    throw error;
  }
}

/** The rule ConfigMaps' files, `<ConfigMap>/<key>`, as the pod's volume would hold them. */
async function ruleFiles(api: ApiClient, options: ReloaderOptions): Promise<Record<string, string>> {
  const list = await api.request<ConfigMapList>({
    method: 'GET',
    path: `/api/v1/namespaces/${options.namespace}/configmaps`,
    query: { labelSelector: `prometheus-name=${options.name}` },
  });
  return Object.fromEntries(
    list.items
      .filter((cm) => cm.metadata.name.startsWith(`prometheus-${options.name}-rulefiles-`))
      .flatMap((cm) =>
        Object.entries(cm.data ?? {}).map(([key, text]) => [`${cm.metadata.name}/${key}`, text]),
      ),
  );
}

async function writeRules(rulesDir: string, files: Record<string, string>): Promise<void> {
  await rm(rulesDir, { recursive: true, force: true });
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(rulesDir, path.split('/')[0]), { recursive: true });
    await writeFile(join(rulesDir, path), text);
  }
}

async function follow(options: ReloaderOptions): Promise<never> {
  const kc = new KubeConfig();
  kc.loadFromFile(options.kubeconfig);
  const api = ApiClient.fromKubeConfig(kc);
  const secrets = `/api/v1/namespaces/${options.namespace}/secrets`;
  const prometheus = new Follower('prometheus', options.prometheusConfig, options.prometheusUrl);
  const alertmanager = new Follower('alertmanager', options.alertmanagerConfig, options.alertmanagerUrl);
  await mkdir(options.rulesDir, { recursive: true });
  for (;;) {
    try {
      const generated = await gunzippedKey(
        api,
        `${secrets}/prometheus-${options.name}`,
        'prometheus.yaml.gz',
      );
      if (generated !== undefined) {
        const rules = await ruleFiles(api, options);
        const config = toYaml(
          outOfClusterPrometheusConfig(parseYaml(generated) as Record<string, unknown>, options),
        );
        // The rules are part of what is followed: a changed rule alone reloads too.
        await prometheus.update(config, JSON.stringify({ config, rules }), () =>
          writeRules(options.rulesDir, rules),
        );
      }
      const am = await gunzippedKey(
        api,
        `${secrets}/alertmanager-${options.name}-generated`,
        'alertmanager.yaml.gz',
      );
      if (am !== undefined) {
        await alertmanager.update(am);
      }
    } catch (error) {
      console.log(`${new Date().toISOString()} ${(error as Error).message}`);
    }
    await sleep(500);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  await follow(JSON.parse(process.argv[2]) as ReloaderOptions);
}
