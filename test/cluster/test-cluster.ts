/**
 * Decides which cluster the integration tests use, once per run (jest global setup):
 * - `CDK8S_DEVOPS_EXISTING_CLUSTER=1`: the cluster of `KUBECONFIG` (kind, EKS, ...), as it is;
 * - otherwise a control plane built from source and started on loopback for this run;
 * - without Go, the integration tests are skipped with a one-line reason, except under `CI=true`.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { hasGo } from './go-build.js';
import { ControlPlane } from './control-plane.js';

/** Read by the tests: the kubeconfig of the cluster under test. */
export const KUBECONFIG_VARIABLE = 'CDK8S_DEVOPS_TEST_KUBECONFIG';
/**
 * Read by the tests: the URLs of the Prometheus and the Alertmanager the Prometheus Operator configures,
 * and of the exporter Prometheus scrapes in place of the pods (exporter.ts).
 */
export const PROMETHEUS_VARIABLE = 'CDK8S_DEVOPS_TEST_PROMETHEUS';
export const ALERTMANAGER_VARIABLE = 'CDK8S_DEVOPS_TEST_ALERTMANAGER';
export const EXPORTER_VARIABLE = 'CDK8S_DEVOPS_TEST_EXPORTER';
/** Read by the tests: the URL of the control plane's git server (git-server.ts). */
export const GIT_VARIABLE = 'CDK8S_DEVOPS_TEST_GIT';
/** Read by the tests: why they are skipped. */
export const SKIP_VARIABLE = 'CDK8S_DEVOPS_TEST_SKIP';

export type TestCluster =
  { readonly kind: 'existing' | 'skipped' } | { readonly kind: 'started'; readonly plane: ControlPlane };

/**
 * @param log receives one line per step
 * @param env the environment to read the choice from and to leave the result in (the tests' environment)
 */
export async function provideTestCluster(
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TestCluster> {
  if (env.CDK8S_DEVOPS_EXISTING_CLUSTER === '1') {
    const kubeconfig = env.KUBECONFIG ?? join(homedir(), '.kube', 'config');
    env[KUBECONFIG_VARIABLE] = kubeconfig;
    log(`integration tests use the existing cluster of ${kubeconfig}`);
    return { kind: 'existing' };
  }
  try {
    await hasGo(env);
  } catch (error) {
    const reason = `integration tests skipped: ${(error as Error).message}; install Go or set CDK8S_DEVOPS_EXISTING_CLUSTER=1 with KUBECONFIG`;
    if (env.CI === 'true') {
      throw new Error(`${reason} (not allowed under CI=true)`);
    }
    env[SKIP_VARIABLE] = reason;
    log(reason);
    return { kind: 'skipped' };
  }
  const started = Date.now();
  const plane = await ControlPlane.start({ log });
  log(`control plane up in ${((Date.now() - started) / 1000).toFixed(1)}s, kubeconfig ${plane.kubeconfig}`);
  env[KUBECONFIG_VARIABLE] = plane.kubeconfig;
  env[EXPORTER_VARIABLE] = plane.state.exporter;
  if (plane.state.monitoring) {
    env[PROMETHEUS_VARIABLE] = plane.state.monitoring.prometheus;
    env[ALERTMANAGER_VARIABLE] = plane.state.monitoring.alertmanager;
  }
  env[GIT_VARIABLE] = plane.state.git;
  return { kind: 'started', plane };
}
