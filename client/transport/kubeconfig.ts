/**
 * Cluster access the kubectl way: `--kubeconfig`, else `$KUBECONFIG`, else `~/.kube/config`, else the
 * in-cluster service account; `--context` picks a context. Exec plugins (`aws eks get-token`) and TLS
 * verification come from client-node's KubeConfig. Errors name the file and the fix, never a credential.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import jsYaml from 'js-yaml';

export class KubeConfigError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'KubeConfigError';
  }
}

export interface KubeConfigOptions {
  /**
   * The kubeconfig file.
   *
   * @default - $KUBECONFIG, else ~/.kube/config, else the in-cluster service account
   */
  readonly kubeconfig?: string;
  /**
   * The context to use.
   *
   * @default - the kubeconfig's current-context
   */
  readonly context?: string;
  /**
   * The environment to read KUBECONFIG, HOME and the in-cluster variables from.
   *
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
}

export function loadKubeConfig(options: KubeConfigOptions = {}): KubeConfig {
  const env = options.env ?? process.env;
  const kc = new KubeConfig();
  const file = options.kubeconfig ?? env.KUBECONFIG;
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (file) {
    for (const path of file.split(':').filter(Boolean)) {
      if (!existsSync(path)) {
        throw new KubeConfigError(
          `the kubeconfig ${path} does not exist: pass --kubeconfig with the right path`,
        );
      }
    }
    load(kc, file);
  } else if (existsSync(home)) {
    load(kc, home);
  } else if (env.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster();
  } else {
    throw new KubeConfigError(
      'no cluster to talk to: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run inside a cluster',
    );
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const known =
        kc
          .getContexts()
          .map((c) => c.name)
          .join(', ') || 'none';
      throw new KubeConfigError(`the kubeconfig has no context "${options.context}" (contexts: ${known})`);
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new KubeConfigError(
      `the kubeconfig has no cluster for context "${kc.getCurrentContext() || '(none)'}": set current-context or pass --context`,
    );
  }
  return kc;
}

function load(kc: KubeConfig, file: string): void {
  for (const path of file.split(':').filter(Boolean)) {
    checkKubeConfigFile(path);
  }
  try {
    if (file.includes(':')) {
      // Several files, as KUBECONFIG lists them: client-node merges them like kubectl.
      kc.loadFromDefault({}, false);
    } else {
      kc.loadFromFile(file);
    }
  } catch (error) {
    throw notAKubeConfig(file, (error as Error).message.split('\n')[0]);
  }
}

/**
 * client-node takes any YAML, text that is not a mapping included, for an empty kubeconfig, which then
 * has "no cluster": the file is read first, so that the error is about the file.
 */
function checkKubeConfigFile(path: string): void {
  let content: unknown;
  try {
    content = jsYaml.load(readFileSync(path, 'utf8'));
  } catch (error) {
    throw notAKubeConfig(path, (error as Error).message.split('\n')[0]);
  }
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    const found =
      content === null || content === undefined
        ? 'nothing'
        : Array.isArray(content)
          ? 'a list'
          : `the ${typeof content} ${JSON.stringify(content).slice(0, 40)}`;
    throw notAKubeConfig(path, `it holds ${found}, not a YAML mapping of clusters, users and contexts`);
  }
}

const notAKubeConfig = (path: string, why: string) =>
  new KubeConfigError(
    `${path} is not a valid kubeconfig: ${why}; fix the file or pass another with --kubeconfig`,
  );

/** The namespace of the current context, as kubectl defaults `-n`. */
export function contextNamespace(kc: KubeConfig): string | undefined {
  return kc.getContextObject(kc.getCurrentContext())?.namespace;
}
