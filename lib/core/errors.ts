import type { IConstruct } from 'constructs';

/**
 * Throws an error that names the construct, what is wrong with which value, and how to fix it:
 * `shop/api: replicas must be 0 or more, got -1. Set replicas to 0 or a positive whole number.`
 */
export function invalid(scope: IConstruct, problem: string, fix: string): never {
  throw new Error(`${scope.node.path}: ${problem}. ${fix}`);
}

/** Formats a value for an error message the way it would be written in code. */
export function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}
