/** The BuildJob, for clusters without Tekton, admitted under Pod Security "restricted" with no warning. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Chart } from 'cdk8s';
import { BatchV1Api } from '@kubernetes/client-node';
import { BuildJob } from '../../lib/pipelines/build-job.js';
import { BuildSpec } from '../../lib/pipelines/buildspec.js';
import { RESTRICTED_NAMESPACE_LABELS } from '../../lib/security/pod-security.js';
import { binaryPath } from '../cluster/components.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { testApp } from '../util/synth.js';
import { createNamespace, describeCluster, eventually, testKubeConfig } from './cluster.js';
import { writeManifests } from './client-cli.js';

const run = promisify(execFile);

describeCluster('BuildJob', () => {
  test('is admitted in a namespace that enforces and warns about "restricted", with zero warnings, and its pod runs', async () => {
    const namespace = await createNamespace('build-job', { ...RESTRICTED_NAMESPACE_LABELS });
    const chart = new Chart(testApp(), 'builds', { namespace });
    new BuildJob(chart, 'api-build', {
      buildSpec: BuildSpec.fromYaml(
        'version: 0.2\nphases:\n  install:\n    commands: [npm ci]\n  build:\n    commands: [npm test]\n',
      ),
      image: 'docker.io/library/node:22.11.0-bookworm',
      source: { url: 'https://github.com/acme/api.git', revision: 'main' },
    });
    const file = await writeManifests(chart.toJson());
    // kubectl prints every warning the API server sends (the Warning header) on stderr.
    const applied = await run(binaryPath('kubectl'), [
      'apply',
      '--server-side',
      '-f',
      file,
      '--kubeconfig',
      process.env[KUBECONFIG_VARIABLE]!,
    ]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toMatch(/^job\.batch\/builds-api-build-c\w+ serverside-applied\n$/);
    const batch = testKubeConfig().makeApiClient(BatchV1Api);
    const job = await eventually('the BuildJob to complete', async () => {
      const jobs = await batch.listNamespacedJob({ namespace });
      return jobs.items.find((j) =>
        j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'),
      );
    });
    expect(job.status?.succeeded).toBe(1);
  });
});
