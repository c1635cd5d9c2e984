import { Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { invalid, show } from './errors.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Checks that `value` is a DNS-1123 label, as Kubernetes requires of names of Services, Namespaces, ports. */
export function checkDnsLabel(scope: IConstruct, prop: string, value: string): string {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    invalid(
      scope,
      `${prop} must be a DNS-1123 label (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit), got ${show(value)}`,
      `Rename it, for example to ${show(suggestDnsLabel(value))}`,
    );
  }
  return value;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Checks that `value` is a DNS-1123 subdomain, as Kubernetes requires of names of Secrets and ConfigMaps. */
export function checkDnsSubdomain(scope: IConstruct, prop: string, value: string): string {
  if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    invalid(
      scope,
      `${prop} must be a DNS-1123 subdomain (at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit), got ${show(value)}`,
      `Rename it, for example to ${show(suggestDnsLabel(value))}`,
    );
  }
  return value;
}

function suggestDnsLabel(value: string): string {
  return (
    value
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63)
      .replace(/-+$/, '') || 'app'
  );
}

/** Checks that `value` is a whole number within [min, max]. */
export function checkRange(
  scope: IConstruct,
  prop: string,
  value: number,
  min: number,
  max: number,
  fix: string,
) {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `between ${min} and ${max}`;
    invalid(scope, `${prop} must be a whole number ${range}, got ${show(value)}`, fix);
  }
  return value;
}

/** The namespace of `scope`'s chart, which `purpose` ("a grant", "EKS Pod Identity") needs. */
export function chartNamespace(scope: IConstruct, purpose: string): string {
  const namespace = Chart.of(scope).namespace;
  if (!namespace) {
    invalid(scope, `${purpose} needs the namespace of the ServiceAccount`, 'Set namespace on the chart');
  }
  return namespace;
}
