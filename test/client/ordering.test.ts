import { groupByStage, stageOf } from '../../client/plan/ordering.js';

const object = (apiVersion: string, kind: string) => ({
  apiVersion,
  kind,
  metadata: { name: kind.toLowerCase() },
});

describe('the apply order', () => {
  test('CRDs and Namespaces first, then Roles, then bindings, config and Services, then workloads, then custom resources', () => {
    const stages = groupByStage([
      object('argoproj.io/v1alpha1', 'Rollout'),
      object('apps/v1', 'Deployment'),
      object('v1', 'Service'),
      object('rbac.authorization.k8s.io/v1', 'RoleBinding'),
      object('rbac.authorization.k8s.io/v1', 'Role'),
      object('apiextensions.k8s.io/v1', 'CustomResourceDefinition'),
      object('v1', 'Namespace'),
      object('batch/v1', 'Job'),
      object('v1', 'ConfigMap'),
    ]);
    expect(stages.map((s) => [s.stage, s.objects.map((o) => o.kind)])).toEqual([
      ['definitions', ['CustomResourceDefinition', 'Namespace']],
      ['roles', ['Role']],
      ['foundations', ['Service', 'RoleBinding', 'ConfigMap']],
      ['workloads', ['Deployment', 'Job']],
      ['custom-resources', ['Rollout']],
    ]);
  });

  test('a kind is placed by its group: a Deployment of another group is a custom resource', () => {
    expect(stageOf(object('example.com/v1', 'Deployment'))).toBe('custom-resources');
    expect(stageOf(object('policy/v1', 'PodDisruptionBudget'))).toBe('foundations');
  });

  test('stages without objects are left out', () => {
    expect(groupByStage([object('v1', 'Secret')]).map((s) => s.stage)).toEqual(['foundations']);
  });
});
