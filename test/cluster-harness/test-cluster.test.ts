import { KUBECONFIG_VARIABLE, provideTestCluster, SKIP_VARIABLE } from '../cluster/test-cluster.js';

const withoutGo = { PATH: '/nonexistent' };

test('without Go or a cluster, integration tests are skipped with a one-line reason', async () => {
  const env: NodeJS.ProcessEnv = { ...withoutGo };
  const lines: string[] = [];
  await expect(provideTestCluster((line) => lines.push(line), env)).resolves.toEqual({ kind: 'skipped' });
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    /^integration tests skipped: Go is not available to build the control plane \(.+\); install Go or set CDK8S_DEVOPS_EXISTING_CLUSTER=1 with KUBECONFIG$/,
  );
  expect(env[SKIP_VARIABLE]).toBe(lines[0]);
});

test('under CI=true, a missing Go is a failure rather than a skip', async () => {
  const env: NodeJS.ProcessEnv = { ...withoutGo, CI: 'true' };
  await expect(provideTestCluster(() => {}, env)).rejects.toThrow(/\(not allowed under CI=true\)$/);
  expect(env[SKIP_VARIABLE]).toBeUndefined();
});

test('an existing cluster is used as it is when asked for', async () => {
  const env: NodeJS.ProcessEnv = {
    ...withoutGo,
    CDK8S_DEVOPS_EXISTING_CLUSTER: '1',
    KUBECONFIG: '/somewhere/kubeconfig',
  };
  await expect(provideTestCluster(() => {}, env)).resolves.toEqual({ kind: 'existing' });
  expect(env[KUBECONFIG_VARIABLE]).toBe('/somewhere/kubeconfig');
});
