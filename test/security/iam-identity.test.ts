import { WebService } from '../../lib/apps/web-service.js';
import { IamIdentity } from '../../lib/security/iam-identity.js';
import { one, synth, testChart } from '../util/synth.js';

const image = 'ghcr.io/acme/api:1.0.0';
const roleArn = 'arn:aws:iam::123456789012:role/shop-api';

test('IRSA annotates the ServiceAccount with the role ARN', () => {
  const chart = testChart();
  new WebService(chart, 'api', { image, iamIdentity: IamIdentity.irsa(roleArn) });
  expect(one(synth(chart), 'ServiceAccount').metadata.annotations).toEqual({
    'eks.amazonaws.com/role-arn': roleArn,
  });
});

test('EKS Pod Identity declares the association of cluster, namespace, ServiceAccount and role', () => {
  const chart = testChart();
  new WebService(chart, 'api', {
    image,
    iamIdentity: IamIdentity.podIdentity(roleArn, { clusterName: 'prod' }),
  });
  const objects = synth(chart);
  const association = one(objects, 'PodIdentityAssociation');
  expect(association.apiVersion).toBe('eks.services.k8s.aws/v1alpha1');
  expect(association.spec).toEqual({
    clusterName: 'prod',
    namespace: 'test',
    serviceAccount: 'api',
    roleARN: roleArn,
  });
  expect(one(objects, 'ServiceAccount').metadata.annotations).toBeUndefined();
});

test('a role ARN that is not one is refused', () => {
  expect(
    () => new WebService(testChart(), 'api', { image, iamIdentity: IamIdentity.irsa('shop-api') }),
  ).toThrow(
    new Error(
      'test/api: iamIdentity role ARN "shop-api" is not an IAM role ARN. Use the form "arn:aws:iam::123456789012:role/name"',
    ),
  );
});
