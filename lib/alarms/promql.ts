import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import type { IConstruct } from 'constructs';
import { invalid, show } from '../core/errors.js';

/**
 * PromQL checked with the Prometheus project's own grammar (the one its web UI uses), so that a
 * mistyped query fails the synth instead of an alert that never fires.
 */

/** Where a parse failed, 1-based, in the query as written. */
function position(expr: string, offset: number): string {
  const before = expr.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

interface Parsed {
  readonly top: SyntaxNode;
  readonly errorAt?: number;
}

/**
 * Parses are kept by the query's shape: the query with every string literal's content blanked to the
 * same length. Queries that differ only in label values (one per service, per environment) share one
 * parse, and its positions are still those of each query, so its error offsets and node texts hold for
 * all of them. Bounded, so that a long-lived process does not keep every shape it ever parsed.
 */
const parsed = new Map<string, Parsed>();
const PARSED_KEPT = 5000;
const STRING_LITERAL = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`/g;

function parse(expr: string): Parsed {
  const shape = expr.replace(STRING_LITERAL, (s) => `${s[0]}${'a'.repeat(s.length - 2)}${s[0]}`);
  let result = parsed.get(shape);
  if (result) {
    return result;
  }
  const tree = parser.parse(shape);
  let errorAt: number | undefined;
  tree.iterate({
    enter: (node) => {
      if (errorAt === undefined && node.type.isError) {
        errorAt = node.from;
      }
      return errorAt === undefined;
    },
  });
  result = { top: tree.topNode, errorAt };
  if (parsed.size >= PARSED_KEPT) {
    parsed.clear();
  }
  parsed.set(shape, result);
  return result;
}

/** Checks that `expr` is valid PromQL; the error names the construct, what the query is, and where it breaks. */
export function checkPromQl(scope: IConstruct, what: string, expr: string): string {
  if (!expr.trim()) {
    invalid(scope, `${what} is empty`, 'Write the PromQL expression');
  }
  const { errorAt } = parse(expr);
  if (errorAt !== undefined) {
    invalid(
      scope,
      `${what} is not valid PromQL: syntax error at ${position(expr, errorAt)} (offset ${errorAt}) of ${show(expr)}`,
      'Fix the expression at that position',
    );
  }
  return expr;
}

/** Whether the whole expression is one vector selector (`name{labels}`), which takes a range directly. */
export function isVectorSelector(expr: string): boolean {
  const { top, errorAt } = parse(expr);
  return errorAt === undefined && top.firstChild?.name === 'VectorSelector' && !top.firstChild.nextSibling;
}

/**
 * The series an expression reads, each as a selector that keeps only its equality matchers: the
 * series that exist whenever the app exports the metric at all. `code=~"5.."` is dropped, since no
 * 5xx series is a normal state, not missing data.
 */
export function seriesSelectors(expr: string): string[] {
  const { top } = parse(expr);
  const found = new Set<string>();
  const text = (node: SyntaxNode) => expr.slice(node.from, node.to);
  const walk = (node: SyntaxNode) => {
    if (node.name === 'VectorSelector') {
      const name = node.getChild('Identifier');
      const matchers: string[] = [];
      const list = node.getChild('LabelMatchers');
      for (let m = list?.firstChild; m; m = m.nextSibling) {
        const op = m.getChild('MatchOp')?.firstChild?.name;
        const label = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
        const value = m.getChild('StringLiteral');
        if (op === 'EqlSingle' && label && value) {
          matchers.push(`${text(label)}=${text(value)}`);
        } else if (m.name === 'QuotedLabelName') {
          // `{"metric_name"}`: the name, written as a quoted label name (UTF-8 names).
          matchers.push(`__name__=${text(m)}`);
        }
      }
      found.add(`${name ? text(name) : ''}{${matchers.sort().join(',')}}`);
      return;
    }
    for (let child = node.firstChild; child; child = child.nextSibling) {
      walk(child);
    }
  };
  walk(top);
  return [...found];
}

const UNITS: readonly [string, number][] = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];
// Prometheus' model.ParseDuration: units from largest to smallest, each at most once.
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds of a Prometheus duration ("90s", "1h30m"), or undefined when Prometheus cannot parse it. */
export function durationMs(value: string): number | undefined {
  const match = DURATION.exec(value);
  return match && value !== ''
    ? UNITS.reduce((ms, [, unit], i) => ms + Number(match[i + 1] ?? 0) * unit, 0)
    : undefined;
}

/** Milliseconds of a Prometheus duration, or an error naming the construct and the value. */
export function parseDuration(scope: IConstruct, what: string, value: string): number {
  const ms = durationMs(value);
  if (ms === undefined) {
    invalid(
      scope,
      `${what} must be a duration like "30s" or "5m", got ${show(value)}`,
      'Use whole numbers with units from largest to smallest (y, w, d, h, m, s, ms), as Prometheus parses them: "90s", "1h30m"',
    );
  }
  return ms;
}

/** The shortest Prometheus duration for a whole number of milliseconds: 90000 is "1m30s". */
export function formatPromDuration(ms: number): string {
  if (ms === 0) {
    return '0s';
  }
  let rest = ms;
  let out = '';
  for (const [name, unit] of UNITS) {
    if (rest >= unit) {
      out += `${Math.floor(rest / unit)}${name}`;
      rest %= unit;
    }
  }
  return out;
}
