import { withoutControllerFields } from '../../client/plan/controller-fields.js';
import type { Manifest } from '../../client/transport/resources.js';

const service = (annotations?: Record<string, string>): Manifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'shop', annotations },
  spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
});

describe('fields a controller took over are left to it', () => {
  test('the selector of a Service that Argo Rollouts switches is never sent again', () => {
    const live = service({ 'argo-rollouts.argoproj.io/managed-by-rollouts': 'web' });
    expect(withoutControllerFields(service(), live).spec).toEqual({ ports: [{ port: 80 }] });
  });
  test('a new Service, or one no Rollout manages, is sent whole', () => {
    expect(withoutControllerFields(service(), undefined)).toEqual(service());
    expect(withoutControllerFields(service(), service())).toEqual(service());
  });
});
