/**
 * What kube-apiserver needs from a control plane's data folder: its admin token and service account keys,
 * its flags, and the kubeconfig the other components and the tests reach it with.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { toYaml } from '../util/yaml.js';

/**
 * Writes the admin token (a member of system:masters) and the service account signing keys into
 * `dataDir`, where apiServerArgs points kube-apiserver at them; returns the token.
 */
export async function writeCredentials(dataDir: string): Promise<string> {
  const pki = join(dataDir, 'pki');
  await mkdir(pki);
  const adminToken = randomBytes(24).toString('hex');
  await writeFile(join(dataDir, 'tokens.csv'), `${adminToken},admin,admin,"system:masters"\n`, {
    mode: 0o600,
  });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await writeFile(join(pki, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  await writeFile(join(pki, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  return adminToken;
}

/**
 * kube-apiserver's flags for a control plane's data folder (its certificates, tokens and service account
 * keys) and etcd; a second API server on the same cluster differs only in its port (and its own flags).
 */
export function apiServerArgs(dataDir: string, etcdUrl: string, port: number): string[] {
  const pki = join(dataDir, 'pki');
  return [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${pki}`,
    `--token-auth-file=${join(dataDir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${join(pki, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    '--allow-privileged=true',
  ];
}

export function httpsGet(url: string, ca: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { Authorization: `Bearer ${token}` }, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end();
  });
}

/** Writes the admin's kubeconfig for the API server at `server`, whose certificate `ca` signs. */
export async function writeKubeconfig(
  path: string,
  server: string,
  ca: string,
  token: string,
): Promise<void> {
  const kubeconfig = toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'cdk8s-devops-test',
        cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') },
      },
    ],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'cdk8s-devops-test', context: { cluster: 'cdk8s-devops-test', user: 'admin' } }],
    'current-context': 'cdk8s-devops-test',
  });
  await writeFile(path, kubeconfig, { mode: 0o600 });
}
