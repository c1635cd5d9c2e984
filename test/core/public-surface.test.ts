import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as lib from '../../lib/index.js';
import { PROJECT_ROOT } from '../util/project.js';

test('the entry point exports what users build with, and no internal plumbing', () => {
  for (const internal of [
    'invalid',
    'show',
    'checkRange',
    'checkDnsLabel',
    'checkImage',
    'grant',
    'granteeOf',
    'allowTraffic',
    'allowEgressToCidr',
    'RESTRICTED_CONTAINER',
    'RESTRICTED_SECCOMP_PROFILE',
    'RESTRICTED_NAMESPACE_LABELS',
    'replicatedPods',
    'ReplicatedPods',
    'ScalableRollout',
    'expose',
    'addPodContainer',
    'containerEnv',
    'probeFields',
    'mountVolumes',
  ]) {
    expect(lib).not.toHaveProperty(internal);
  }
  for (const publicName of [
    'DevOpsApp',
    'AppStack',
    'WebService',
    'Worker',
    'ScheduledJob',
    'ConfigMap',
    'DeploymentStrategy',
    'analysisTemplateFromAlarms',
    'AWS_PRESETS',
    'CodeDeployDefault',
    'ElasticBeanstalkPolicy',
    'Alarm',
    'POLICY_RULES',
    'NAME_LABEL',
    'PodVolume',
    'ProjectedSource',
    'HealthCheck',
  ]) {
    expect(lib).toHaveProperty(publicName);
  }
});

test('lib/core imports nothing from the practices built on it', () => {
  const core = join(PROJECT_ROOT, 'lib/core');
  for (const file of readdirSync(core)) {
    const imports = [...readFileSync(join(core, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect({ file, upward: imports.filter((i) => i.startsWith('..')) }).toEqual({ file, upward: [] });
  }
});
