/**
 * Failures that are not worth retrying fail at once with one clear message (issue 10, case 6), and exit
 * codes follow kubectl (case 7): rejected credentials, a certificate that cannot be verified, and the
 * server's 500 for a value of the wrong type.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Manifest } from '../../client/transport/resources.js';
import { createNamespace, describeCluster, testKubeConfig, writeKubeconfig } from './cluster.js';
import { cli, configMap, deployment, writeManifests } from './client-cli.js';

describeCluster('failures that are not retried', () => {
  let ns: string;
  let file: string;
  let dir: string;
  beforeAll(async () => {
    ns = await createNamespace('client-errors');
    file = await writeManifests([configMap(ns, 'a', {}), configMap(ns, 'b', {}), configMap(ns, 'c', {})]);
    dir = file.replace(/\/[^/]+$/, '');
  });

  test('a token the server rejects is said once, with the fix, for apply (exit 1) and diff (exit 2)', async () => {
    const kubeconfig = join(dir, 'bad-token.kubeconfig');
    await writeKubeconfig(kubeconfig, { token: 'not-a-valid-token' }, ns);
    const server = testKubeConfig().getCurrentCluster()!.server;
    const message = `error: the API server at ${server} does not accept the kubeconfig's credentials (401 Unauthorized): the token or client certificate is invalid or expired; refresh them (on EKS: \`aws eks update-kubeconfig\`) or pick another --context\n`;
    const apply = await cli(['apply', file, '--applyset', 'app', '--yes', '--kubeconfig', kubeconfig]);
    expect(apply.stderr).toBe(message);
    expect(apply.code).toBe(1);
    const diff = await cli(['diff', file, '--applyset', 'app', '--kubeconfig', kubeconfig]);
    expect(diff.stderr).toBe(message);
    expect(diff.code).toBe(2);
  });

  test('a certificate authority that does not match the server is said once, and not retried', async () => {
    const key = join(dir, 'wrong-ca.key');
    const cert = join(dir, 'wrong-ca.crt');
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=wrong-ca',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    const kubeconfig = join(dir, 'wrong-ca.kubeconfig');
    await writeKubeconfig(kubeconfig, { token: testKubeConfig().getCurrentUser()!.token }, ns);
    const config = JSON.parse(await readFile(kubeconfig, 'utf8')) as {
      clusters: { cluster: Record<string, string> }[];
    };
    config.clusters[0].cluster['certificate-authority-data'] = (await readFile(cert)).toString('base64');
    await writeFile(kubeconfig, JSON.stringify(config));
    const run = await cli(['diff', file, '--applyset', 'app', '--kubeconfig', kubeconfig]);
    expect(run.stderr).toMatch(
      /^error: the API server's certificate at https:\/\/127\.0\.0\.1:\d+ cannot be verified \(.+\); check the certificate-authority-data of the kubeconfig's cluster, or pick the right --context\n$/,
    );
    expect(run.code).toBe(2);
  });

  test("the server's 500 for a value of the wrong type fails at once, naming the object", async () => {
    const web = deployment(ns, 'web');
    const wrong: Manifest = { ...web, spec: { ...(web.spec as object), replicas: 'two' } };
    const run = await cli(['apply', await writeManifests([wrong]), '-n', ns, '--applyset', 'app', '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^error: computing the change set failed for 1 object:\\n  - Deployment/${ns}/web: .*replicas`,
      ),
    );
  });
});
