/**
 * The ported examples against their vendored upstream manifests, field by field after normalizing:
 * every difference is one the example's differences.ts names, and every named difference still exists.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Chart } from 'cdk8s';
import { Testing } from 'cdk8s';
import { BankOfAnthos } from '../../examples/bank-of-anthos/bank-of-anthos.js';
import { BANK_OF_ANTHOS_DIFFERENCES } from '../../examples/bank-of-anthos/differences.js';
import type { KnownDifference } from '../../examples/differences.js';
import { ONLINE_BOUTIQUE_DIFFERENCES } from '../../examples/online-boutique/differences.js';
import { OnlineBoutique } from '../../examples/online-boutique/online-boutique.js';
import { checkPolicies } from '../../lib/security/policy.js';
import { PROJECT_ROOT } from '../util/project.js';
import { testApp } from '../util/synth.js';
import type { FieldDifference } from './normalize.js';
import { compareFields, formatDifferences, normalize, readManifests } from './normalize.js';

const EXAMPLES = join(PROJECT_ROOT, 'examples');

const examples: {
  name: string;
  build: () => Chart;
  upstream: string;
  known: readonly KnownDifference[];
  workloads: number;
}[] = [
  {
    name: 'online-boutique',
    build: () => new OnlineBoutique(testApp(), 'online-boutique', { namespace: 'online-boutique' }),
    upstream: join(EXAMPLES, 'online-boutique/upstream/kubernetes-manifests.yaml'),
    known: ONLINE_BOUTIQUE_DIFFERENCES,
    workloads: 12,
  },
  {
    name: 'bank-of-anthos',
    build: () => new BankOfAnthos(testApp(), 'bank-of-anthos', { namespace: 'bank-of-anthos' }),
    upstream: join(EXAMPLES, 'bank-of-anthos/upstream'),
    known: BANK_OF_ANTHOS_DIFFERENCES,
    workloads: 9,
  },
];

/** The differences no entry of `known` explains, and the entries that explain none. */
function unexplained(differences: readonly FieldDifference[], known: readonly KnownDifference[]) {
  return {
    differences: differences.filter((d) => !known.some((k) => k.fields.test(d.field))),
    staleEntries: known.filter((k) => !differences.some((d) => k.fields.test(d.field))).map((k) => k.why),
  };
}

describe.each(examples)('examples/$name', ({ build, upstream, known, workloads }) => {
  const chart = build();
  const ported = normalize(Testing.synth(chart));
  const vendored = normalize(readManifests(upstream));
  const differences = compareFields(vendored, ported);

  test('has every upstream workload, and compares a field of each', () => {
    const names = (fields: Map<string, unknown>) =>
      new Set([...fields.keys()].filter((f) => / image$/.test(f)).map((f) => f.split(' ')[0].split('/')[1]));
    expect(names(vendored).size).toBe(workloads);
    expect([...names(vendored)].filter((name) => !names(ported).has(name))).toEqual([]);
  });

  test('differs from upstream only where differences.ts says why', () => {
    const { differences: surprises, staleEntries } = unexplained(differences, known);
    if (surprises.length > 0) {
      throw new Error(`fields differ from upstream without a reason:\n${formatDifferences(surprises)}`);
    }
    expect(staleEntries).toEqual([]);
  });

  test('a deliberate difference only fills in an image, env, resources or a check that upstream leaves out', () => {
    // The fields the issue names must equal upstream's: a named gap may cover them, a deliberate
    // difference may only add what upstream does not set (requests and limits, a readiness check).
    const unset = (value: unknown) =>
      value === undefined ||
      isDeepStrictEqual(value, {}) ||
      isDeepStrictEqual(value, []) ||
      isDeepStrictEqual(value, { requests: {}, limits: {} });
    const deliberate = known.filter((k) => k.kind === 'deliberate');
    const changed = differences.filter(
      (d) =>
        / (image|env|resources|\w+Probe)$/.test(d.field) &&
        deliberate.some((k) => k.fields.test(d.field)) &&
        !unset(d.upstream),
    );
    expect(changed).toEqual([]);
  });

  test('every container port upstream declares has the same number in the port (names aside)', () => {
    const numbers = (ports: unknown) =>
      ((ports as { containerPort: number }[] | undefined) ?? []).map((p) => p.containerPort);
    const changed = [...vendored]
      .filter(([field, ports]) => / containers\[\d+\] ports$/.test(field) && numbers(ports).length > 0)
      .filter(([field, ports]) => !isDeepStrictEqual(numbers(ported.get(field)), numbers(ports)))
      .map(([field]) => field);
    // A field that a missing setting covers is that entry's (a database that is not yet a StatefulSet).
    expect(
      changed.filter((field) => !known.some((k) => k.kind === 'missing' && k.fields.test(field))),
    ).toEqual([]);
  });

  test("every upstream app container's image is the ported workload's, whatever its kind", () => {
    // "StatefulSet/ledger-db containers[0] image" -> "ledger-db containers[0]"
    const images = (fields: Map<string, unknown>) =>
      Object.fromEntries(
        [...fields]
          .filter(([field]) => / containers\[\d+\] image$/.test(field))
          .map(([field, image]) => [field.replace(/^\w+\/| image$/g, ''), image]),
      );
    expect(images(ported)).toEqual(images(vendored));
  });

  test('passes the policy checks every DevOpsApp runs before writing', () => {
    expect(checkPolicies(chart)).toEqual([]);
  });
});

describe('the comparison', () => {
  const upstream = readManifests(join(EXAMPLES, 'online-boutique/upstream/kubernetes-manifests.yaml'));
  const frontend = () => structuredClone(upstream.find((o) => o.metadata.name === 'frontend'));

  test('reads quantities and probe defaults as Kubernetes does', () => {
    const changed = frontend();
    const container = changed.spec.template.spec.containers[0];
    container.resources.limits = { cpu: '0.2', memory: '0.125Gi' };
    container.readinessProbe = { ...container.readinessProbe, periodSeconds: 10, successThreshold: 1 };
    expect(compareFields(normalize([frontend()]), normalize([changed]))).toEqual([]);
  });

  test('names the field, the upstream value and the ported one on a mismatch', () => {
    const changed = frontend();
    const container = changed.spec.template.spec.containers[0];
    container.env.find((e: any) => e.name === 'PORT').value = '8081';
    container.resources.requests.memory = '65Mi';
    expect(formatDifferences(compareFields(normalize([frontend()]), normalize([changed])))).toBe(
      [
        'Deployment/frontend containers[0] env',
        `    upstream: ${JSON.stringify(normalize([frontend()]).get('Deployment/frontend containers[0] env'))}`,
        `    ported:   ${JSON.stringify(normalize([changed]).get('Deployment/frontend containers[0] env'))}`,
        'Deployment/frontend containers[0] resources',
        '    upstream: {"requests":{"cpu":"100m","memory":"67108864B"},"limits":{"cpu":"200m","memory":"134217728B"}}',
        '    ported:   {"requests":{"cpu":"100m","memory":"68157440B"},"limits":{"cpu":"200m","memory":"134217728B"}}',
      ].join('\n'),
    );
  });

  test('an explained difference is accepted, an unexplained one and a stale entry are not', () => {
    const differences = [{ field: 'Deployment/a containers[0] image', upstream: 'a:1', ported: 'a:2' }];
    const entry = (fields: RegExp): KnownDifference => ({ fields, kind: 'missing', why: 'because' });
    expect(unexplained(differences, [entry(/^Deployment\/a /)])).toEqual({
      differences: [],
      staleEntries: [],
    });
    expect(unexplained(differences, [entry(/^Deployment\/b /)])).toEqual({
      differences,
      staleEntries: ['because'],
    });
  });
});

describe('the examples are written with the library alone', () => {
  const sources = readdirSync(EXAMPLES, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ file, text: readFileSync(join(EXAMPLES, file), 'utf8') }));

  test.each([
    ['a JSON patch', /JsonPatch|addJsonPatch/],
    ['a raw cdk8s-plus object', /new plus\.|from 'cdk8s-plus/],
    ['an imports/ binding', /imports\//],
    ['a raw ApiObject', /new ApiObject|ApiObject\.of/],
  ])('no example uses %s', (_what, pattern) => {
    expect(sources.length).toBeGreaterThanOrEqual(4);
    expect(sources.filter((s) => pattern.test(s.text)).map((s) => s.file)).toEqual([]);
  });
});
