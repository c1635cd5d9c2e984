/**
 * The fleet as a platform team publishes it: one environment per team (`team-<k>`: its PlatformChart
 * and its ten ServiceCharts), each in its own folder `dist/team-<k>/`, one file per chart.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { fileYaml, resolveApp } from '../lib/core/synth.js';
import type { FleetOptions } from './fleet.js';
import { buildFleet, TEAM_SIZE } from './fleet.js';

/** The environment of a chart's file: `fleet-team-<k>.k8s.yaml` and `svc-<i>.k8s.yaml` of team k. */
function teamOf(file: string): number {
  const team = /^[a-z]+-team-(\d+)\./.exec(file);
  if (team) {
    return Number(team[1]);
  }
  const service = /^svc-(\d+)\./.exec(file);
  if (!service) {
    throw new Error(`${file}: not a chart of the fleet`);
  }
  return Math.floor(Number(service[1]) / TEAM_SIZE);
}

/** Writes the fleet's environments into `<dir>/<environment>/`; resolves to their names, in order. */
export async function writeFleetEnvironments(dir: string, options: FleetOptions): Promise<string[]> {
  const app = new App({ outdir: '/dev/null' });
  buildFleet(app, options);
  const environments = new Set<string>();
  for (const file of resolveApp(app)) {
    const environment = `team-${teamOf(file.name)}`;
    if (!environments.has(environment)) {
      environments.add(environment);
      await mkdir(join(dir, environment), { recursive: true });
    }
    await writeFile(join(dir, environment, file.name), fileYaml(file));
  }
  return [...environments].sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
}
