/** Cluster access the EKS way: a kubeconfig whose user runs an exec plugin for its token. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createNamespace, describeCluster, testKubeConfig, writeKubeconfig } from './cluster.js';
import { cli, configMap, writeManifests } from './client-cli.js';

describeCluster('a kubeconfig with an exec credential plugin', () => {
  test('the token comes from the plugin, as `aws eks get-token` hands it out, and is never printed', async () => {
    const ns = await createNamespace('client-exec');
    const kc = testKubeConfig();
    const token = kc.getCurrentUser()!.token!;
    const file = await writeManifests([configMap(ns, 'a', { x: '1' })]);
    const dir = file.replace(/\/[^/]+$/, '');
    // Stands in for `aws eks get-token`: prints an ExecCredential, as the client.authentication.k8s.io API says.
    const plugin = join(dir, 'get-token.mjs');
    await writeFile(
      plugin,
      `console.log(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: ${JSON.stringify(token)} } }));\n`,
    );
    const kubeconfig = join(dir, 'eks.kubeconfig');
    await writeKubeconfig(
      kubeconfig,
      {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: process.execPath,
          args: [plugin],
          interactiveMode: 'Never',
        },
      },
      ns,
    );
    const run = await cli(['apply', file, '--applyset', 'app', '--yes', '--kubeconfig', kubeconfig]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('applied 1 objects, pruned 0; recorded revision 1');
    expect(run.stdout).not.toContain(token);
  });
});
