/**
 * The API server's warnings (its `Warning` headers) reach the user as kubectl shows them: `Warning: <text>`
 * on stderr, each text once per command, and in `-o json` under `warnings`. The warnings here are real:
 * Pod Security "restricted" in warn mode about a Deployment that is not restricted, and an unknown field
 * that server-side apply drops (the server's default field validation is Warn).
 */
import type { Manifest } from '../../client/resources.js';
import { cli, configMap, deployment, writeManifests } from './client-cli.js';
import { createNamespace, describeCluster } from './cluster.js';

const POD_SECURITY =
  'would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';
const UNKNOWN_FIELD = 'unknown field "spec"';

/** The `Warning:` lines of a command's stderr. */
const warningLines = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => line.startsWith('Warning: '))
    .sort();

describeCluster('warnings of the API server', () => {
  test('diff, apply and rollback print each warning once on stderr, and list them in -o json', async () => {
    const ns = await createNamespace('client-warnings', { 'pod-security.kubernetes.io/warn': 'restricted' });
    const flags = ['-n', ns, '--applyset', 'warned'];
    // A ConfigMap has no spec: server-side apply drops it and says so.
    const settings = { ...configMap(ns, 'settings', { x: '1' }), spec: { replicas: 2 } } as Manifest;
    const v1 = await writeManifests([deployment(ns, 'web'), settings]);

    const diff = await cli(['diff', v1, ...flags]);
    expect(diff.code).toBe(1);
    expect(warningLines(diff.stderr)).toEqual([`Warning: ${POD_SECURITY}`, `Warning: ${UNKNOWN_FIELD}`]);

    // The change set's dry run and the apply are each warned: said once all the same.
    const apply = await cli(['apply', v1, ...flags, '--yes', '-o', 'json']);
    expect(apply.code).toBe(0);
    expect(apply.stderr.split('\n').sort()).toEqual([
      '',
      `Warning: ${POD_SECURITY}`,
      `Warning: ${UNKNOWN_FIELD}`,
    ]);
    expect((JSON.parse(apply.stdout) as { warnings: string[] }).warnings.sort()).toEqual([
      POD_SECURITY,
      UNKNOWN_FIELD,
    ]);

    // A restricted object in the same namespace draws none.
    const quiet = await cli([
      'apply',
      await writeManifests([configMap(ns, 'settings', { x: '2' })]),
      ...flags,
      '--yes',
      '-o',
      'json',
    ]);
    expect(quiet.stderr).toBe('');
    expect((JSON.parse(quiet.stdout) as { warnings: string[] }).warnings).toEqual([]);

    const rollback = await cli(['rollback', ...flags, '-o', 'json']);
    expect(rollback.code).toBe(0);
    expect(warningLines(rollback.stderr)).toEqual([`Warning: ${POD_SECURITY}`, `Warning: ${UNKNOWN_FIELD}`]);
    expect((JSON.parse(rollback.stdout) as { warnings: string[] }).warnings.sort()).toEqual([
      POD_SECURITY,
      UNKNOWN_FIELD,
    ]);
  });
});
