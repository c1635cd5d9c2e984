import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, ChartProps } from 'cdk8s';
import { Chart, Testing } from 'cdk8s';
import { AppStack } from '../../lib/apps/app-stack.js';

/**
 * An app for tests that synthesize in memory. cdk8s's `Testing.app()` makes a temporary folder on every
 * call, which nothing removes; these apps never write, so they share one path that is never created.
 */
export function testApp(): App {
  return Testing.app({ outdir: join(tmpdir(), 'cdk8s-devops-tests-never-written') });
}

/** The JSON of a synthesized object, as the tests walk it. */
export type Obj = { apiVersion: string; kind: string; metadata: any; spec?: any; [key: string]: any };

/** A chart in the namespace "test", for constructs under test. */
export function testChart(props: ChartProps = {}): Chart {
  return new Chart(testApp(), 'test', { namespace: 'test', ...props });
}

/** An AppStack in the namespace "shop". */
export function testStack(): AppStack {
  return new AppStack(testApp(), 'shop', { namespace: 'shop' });
}

export function synth(chart: Chart): Obj[] {
  return Testing.synth(chart) as Obj[];
}

/** The one object of `kind` (and `name`, when given); fails the test when there is not exactly one. */
export function one(objects: Obj[], kind: string, name?: string): Obj {
  const matches = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (matches.length !== 1) {
    throw new Error(`expected one ${kind}${name ? `/${name}` : ''}, found ${matches.length}`);
  }
  return matches[0];
}

export function all(objects: Obj[], kind: string): Obj[] {
  return objects.filter((o) => o.kind === kind);
}

/** The pod spec of a Deployment or CronJob. */
export function podSpec(workload: Obj): any {
  return workload.kind === 'CronJob'
    ? workload.spec.jobTemplate.spec.template.spec
    : workload.spec.template.spec;
}
