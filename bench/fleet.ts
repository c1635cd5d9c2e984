/**
 * The fleet: N services of the house chart, as a platform team with many product teams synthesizes
 * them. Teams of ten services share a namespace made by a PlatformChart; every service is a ServiceChart
 * with autoscaling, an Ingress and a canary whose alarms roll it back, monitored and built (ServiceChart's monitoring and build project), reading its settings
 * through a Role of its own, and allowed to be called by the service before it. The settings hold
 * strings that YAML 1.1 (the API server's YAML) reads as something else when left unquoted.
 */
import type { App } from 'cdk8s';
import { PlatformChart } from '../charts/platform-chart.js';
import { ConfigMap } from '../lib/apps/index.js';
import { ServiceChart } from '../charts/service-chart.js';

const BUILD_SPEC = 'version: 0.2\nphases:\n  build:\n    commands:\n      - npm ci\n      - npm test\n';

/** Services per team namespace. */
export const TEAM_SIZE = 10;

export interface FleetOptions {
  /** How many services. */
  readonly services: number;
  /** The image tag every service runs (changing it for some changes their Deployments). @default '1.0.0' */
  readonly tag?: string;
  /** Services whose tag is `changedTag` instead, by index. @default - none */
  readonly changed?: (index: number) => boolean;
  /** @default '1.0.1' */
  readonly changedTag?: string;
  /** A prefix of every namespace, so that several fleets live in one cluster. @default 'fleet' */
  readonly prefix?: string;
}

export function teamNamespace(prefix: string, team: number): string {
  return `${prefix}-team-${team}`;
}

/** Adds the fleet's charts to `app`: one PlatformChart per team, one ServiceChart per service. */
export function buildFleet(app: App, options: FleetOptions): void {
  const prefix = options.prefix ?? 'fleet';
  const teams = Math.ceil(options.services / TEAM_SIZE);
  for (let team = 0; team < teams; team++) {
    new PlatformChart(app, `${prefix}-team-${team}`, {
      namespace: teamNamespace(prefix, team),
      quota: { cpu: '100', memory: '200Gi', pods: 400 },
    });
  }
  let previous: ServiceChart | undefined;
  for (let i = 0; i < options.services; i++) {
    const namespace = teamNamespace(prefix, Math.floor(i / TEAM_SIZE));
    const chart = new ServiceChart(app, `svc-${i}`, {
      namespace,
      image: `ghcr.io/acme/svc-${i}`,
      tag: options.changed?.(i) ? (options.changedTag ?? '1.0.1') : (options.tag ?? '1.0.0'),
      replicas: 2,
      maxReplicas: 6,
      domain: `svc-${i}.${namespace}.example.com`,
      strategy: 'canary',
      env: { SERVICE_INDEX: String(i) },
      build: {
        repository: `https://github.com/acme/svc-${i}.git`,
        buildSpec: BUILD_SPEC,
        image:
          'public.ecr.aws/docker/library/node:22@sha256:0000000000000000000000000000000000000000000000000000000000000000',
      },
    });
    const settings = new ConfigMap(chart, 'settings', {
      metadata: { name: `svc-${i}-settings` },
      data: { CACHE: 'on', NEW_CHECKOUT: 'yes', UMASK: '0755', BATCH: '1e3', INDEX: String(i) },
    });
    settings.grantRead(chart.service);
    if (previous && previous.namespace === chart.namespace) {
      chart.service.allowFrom(previous.service);
    }
    previous = chart;
  }
}
