/**
 * The API server's warnings (its `Warning` headers) reach the user as kubectl shows them: `Warning: <text>`
 * on stderr, each text once per command, and in `-o json` under `warnings`. The warnings here are real:
 * Pod Security "restricted" in warn mode about a Deployment that is not restricted, and a deprecated
 * annotation on an Ingress. (A field the schema does not know is no warning under server-side apply: the
 * API server refuses it.)
 */
import type { Manifest } from '../../client/transport/resources.js';
import { cli, configMap, deployment, writeManifests } from './client-cli.js';
import { createNamespace, describeCluster } from './cluster.js';

const POD_SECURITY =
  'would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';
const DEPRECATED = `annotation "kubernetes.io/ingress.class" is deprecated, please use 'spec.ingressClassName' instead`;

/** Both warnings, in the order the helpers below sort them (requests run in parallel). */
const BOTH = [DEPRECATED, POD_SECURITY];

/** The `warnings` of a command's `-o json`. */
const jsonWarnings = (stdout: string) => (JSON.parse(stdout) as { warnings: string[] }).warnings.sort();

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
    // The annotation Ingress classes were chosen with before spec.ingressClassName: deprecated, and said so.
    const ingress: Manifest = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: ns, annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
      spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
    };
    const v1 = await writeManifests([deployment(ns, 'web'), ingress]);

    const diff = await cli(['diff', v1, ...flags]);
    expect(diff.code).toBe(1);
    expect(warningLines(diff.stderr)).toEqual(BOTH.map((text) => `Warning: ${text}`));

    // The change set's dry run and the apply are each warned: said once all the same, and nothing else.
    const apply = await cli(['apply', v1, ...flags, '--yes', '-o', 'json']);
    expect(apply.code).toBe(0);
    expect(apply.stderr.split('\n').sort()).toEqual(['', ...BOTH.map((text) => `Warning: ${text}`)]);
    expect(jsonWarnings(apply.stdout)).toEqual(BOTH);

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
    expect(jsonWarnings(quiet.stdout)).toEqual([]);

    // Back to revision 1: its objects are applied again, and warned about again.
    const rollback = await cli(['rollback', ...flags, '-o', 'json']);
    expect(rollback.code).toBe(0);
    expect(warningLines(rollback.stderr)).toEqual(BOTH.map((text) => `Warning: ${text}`));
    expect(jsonWarnings(rollback.stdout)).toEqual(BOTH);
  });
});
