import type { App } from 'cdk8s';
import type { Environment } from 'cdk8s-devops';
import { PlatformChart, SERVICE_STRATEGIES, ServiceChart } from 'cdk8s-devops/charts';

/** The team's app in one environment: its namespace from the platform team, and its service. */
export function buildEnvironment(app: App, env: Environment): void {
  const namespace = env.namespace ?? env.applySet;
  new PlatformChart(app, 'platform', { namespace });
  new ServiceChart(app, 'web', {
    namespace,
    image: 'ghcr.io/acme/web',
    tag: env.string('tag'),
    replicas: env.number('replicas'),
    domain: env.string('domain'),
    strategy: env.oneOf('strategy', SERVICE_STRATEGIES, 'rolling'),
  });
}
