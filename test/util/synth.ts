import type { ChartProps } from 'cdk8s';
import { Chart, Testing } from 'cdk8s';
import { AppStack } from '../../lib/apps/app-stack.js';

/** The JSON of a synthesized object, as the tests walk it. */
export type Obj = { apiVersion: string; kind: string; metadata: any; spec?: any; [key: string]: any };

/** A chart in the namespace "test", for constructs under test. */
export function testChart(props: ChartProps = {}): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'test', ...props });
}

/** An AppStack in the namespace "shop". */
export function testStack(): AppStack {
  return new AppStack(Testing.app(), 'shop', { namespace: 'shop' });
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
