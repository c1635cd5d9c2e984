import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Testing } from 'cdk8s';
import { Environment } from 'cdk8s-devops';
import { buildEnvironment } from './app.js';

test('prod runs the tag and replicas of its settings, as a canary', () => {
  const app = Testing.app();
  const prod = new Environment(
    { name: 'prod', folder: 'dist/prod', applySet: 'team-prod', namespace: 'team' },
    { tag: '1.0.0', replicas: 3, domain: 'web.example.com', strategy: 'canary' },
  );
  buildEnvironment(app, prod);
  const objects = app.charts.flatMap((chart) => chart.toJson() as { kind: string; spec?: any }[]);
  const deployment = objects.find((o) => o.kind === 'Deployment');
  assert.equal(deployment?.spec.template.spec.containers[0].image, 'ghcr.io/acme/web:1.0.0');
  assert.ok(objects.some((o) => o.kind === 'Rollout'));
  assert.ok(objects.some((o) => o.kind === 'ResourceQuota'));
});
