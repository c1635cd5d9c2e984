/**
 * YAML as kubectl and the API server read it: sigs.k8s.io/yaml, that is go-yaml v2, YAML 1.1 whose plain
 * scalars resolve through Go's strconv. Read with YAML 1.2's core schema, a manifest's `enabled: yes`
 * would be the string "yes" and `mode: 0755` the number 755, where kubectl sends `true` and 493: the
 * change set would compare against objects the server never stores.
 */
import jsYaml from 'js-yaml';

const BOOLEANS = new Map<string, boolean>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((s) => [s, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map(
    (s) => [s, false] as const,
  ),
]);
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const NOT_FINITE = new Set([
  '.nan',
  '.NaN',
  '.NAN',
  ...['.inf', '.Inf', '.INF'].flatMap((s) => [s, `+${s}`, `-${s}`]),
]);
/** go-yaml v2's yamlStyleFloat, tried after the integers. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DIGITS: Record<number, RegExp> = { 2: /^[01]*$/, 8: /^[0-7]*$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ };
const PREFIXES: Record<string, number> = { b: 2, o: 8, x: 16 };
const LETTERS: Record<number, string> = { 2: 'b', 8: 'o', 16: 'x' };
const UINT64_MAX = 2n ** 64n - 1n;
const INT64_MAX = 2n ** 63n - 1n;

/** Go's strconv.ParseUint(s, 0, 64): a `0b`, `0o` or `0x` prefix, or a leading `0` for octal. */
function parseUint(s: string): bigint | undefined {
  const prefixed = /^0([bBoOxX])(.+)$/.exec(s);
  const [base, digits] = prefixed
    ? [PREFIXES[prefixed[1].toLowerCase()], prefixed[2]]
    : s.startsWith('0')
      ? [8, s.slice(1)]
      : [10, s];
  if (!DIGITS[base].test(digits)) {
    return undefined;
  }
  const value = digits === '' ? 0n : BigInt(base === 10 ? digits : `0${LETTERS[base]}${digits}`);
  return value <= UINT64_MAX ? value : undefined;
}

/** Go's strconv.ParseInt(s, 0, 64). */
function parseInt64(s: string): bigint | undefined {
  const negative = s.startsWith('-');
  const magnitude = parseUint(/^[-+]/.test(s) ? s.slice(1) : s);
  if (magnitude === undefined || magnitude > INT64_MAX + (negative ? 1n : 0n)) {
    return undefined;
  }
  return negative ? -magnitude : magnitude;
}

/**
 * The number go-yaml v2 resolves a plain scalar to, or undefined for a string: with underscores dropped,
 * by its first character, `.` as a Go float, a digit or sign as an integer of any Go base, else as a
 * float of YAML's style; a float out of range stays a string (the API server's reading, tested in
 * test/integration/yaml-api-server.test.ts).
 */
export function goYamlNumber(scalar: string): number | undefined {
  const plain = scalar.replaceAll('_', '');
  if (scalar.startsWith('.')) {
    return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(plain) ? finite(Number(plain)) : undefined;
  }
  if (!/^[-+0-9]/.test(scalar)) {
    return undefined;
  }
  const integer = parseInt64(plain) ?? (/^[-+]/.test(plain) ? undefined : parseUint(plain));
  if (integer !== undefined) {
    return Number(integer);
  }
  return YAML_STYLE_FLOAT.test(plain) ? finite(Number(plain)) : undefined;
}

function finite(value: number): number | undefined {
  return Number.isFinite(value) ? value : undefined;
}

const scalar = (tag: string, resolve: (s: string) => boolean, construct: (s: string) => unknown) =>
  new jsYaml.Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (s: string | null) => resolve(s ?? ''),
    construct: (s: string | null) => construct(s ?? ''),
  });

/** The schema manifests are read with: go-yaml v2's nulls, booleans, numbers and merge keys. */
export const KUBE_YAML_SCHEMA = jsYaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar(
      'null',
      (s) => NULLS.has(s),
      () => null,
    ),
    scalar(
      'bool',
      (s) => BOOLEANS.has(s),
      (s) => BOOLEANS.get(s),
    ),
    scalar(
      'int',
      (s) => goYamlNumber(s) !== undefined,
      (s) => goYamlNumber(s),
    ),
    scalar(
      'float',
      (s) => NOT_FINITE.has(s),
      (s) => {
        // JSON holds no infinity or NaN: kubectl refuses the file, and so does this.
        throw new Error(`${s} is a YAML 1.1 float JSON cannot hold; quote it if it is a string`);
      },
    ),
    scalar(
      'merge',
      (s) => s === '<<',
      (s) => s,
    ),
  ],
});
