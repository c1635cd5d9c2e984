import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeConfig } from '../../client/transport/kubeconfig.js';

describe('cluster access without a kubeconfig', () => {
  test('inside a cluster, the pod service account and the kubernetes Service address are used', async () => {
    const home = await mkdtemp(join(tmpdir(), 'home-'));
    const env = { HOME: home, KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    // client-node reads the in-cluster variables from the process environment itself.
    Object.assign(process.env, {
      KUBERNETES_SERVICE_HOST: env.KUBERNETES_SERVICE_HOST,
      KUBERNETES_SERVICE_PORT: '443',
    });
    try {
      const kc = loadKubeConfig({ env });
      expect(kc.getCurrentCluster()).toMatchObject({
        server: 'https://10.96.0.1:443',
        caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
        skipTLSVerify: false,
      });
      expect(kc.getCurrentUser()?.authProvider?.config.tokenFile).toBe(
        '/var/run/secrets/kubernetes.io/serviceaccount/token',
      );
    } finally {
      delete process.env.KUBERNETES_SERVICE_HOST;
      delete process.env.KUBERNETES_SERVICE_PORT;
    }
  });
});
