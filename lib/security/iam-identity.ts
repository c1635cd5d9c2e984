import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { chartNamespace } from '../core/names.js';
import type * as plus from '../core/plus.js';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/**
 * The AWS IAM role a workload's ServiceAccount assumes on EKS: through IRSA (an annotation the EKS pod
 * identity webhook reads) or through EKS Pod Identity (an association, declared here as the ACK
 * `PodIdentityAssociation` resource so that it ships with the app).
 */
export abstract class IamIdentity {
  /** IAM Roles for Service Accounts: the `eks.amazonaws.com/role-arn` annotation. */
  public static irsa(roleArn: string): IamIdentity {
    return new IrsaIdentity(roleArn);
  }

  /** EKS Pod Identity: a PodIdentityAssociation of `clusterName`, the namespace and the ServiceAccount. */
  public static podIdentity(roleArn: string, options: { readonly clusterName: string }): IamIdentity {
    return new PodIdentity(roleArn, options.clusterName);
  }

  protected constructor(public readonly roleArn: string) {}

  /** @internal */
  public _bind(scope: Construct, serviceAccount: plus.ServiceAccount): void {
    if (!ROLE_ARN.test(this.roleArn)) {
      invalid(
        scope,
        `iamIdentity role ARN ${show(this.roleArn)} is not an IAM role ARN`,
        'Use the form "arn:aws:iam::123456789012:role/name"',
      );
    }
    this.bindTo(scope, serviceAccount);
  }

  protected abstract bindTo(scope: Construct, serviceAccount: plus.ServiceAccount): void;
}

class IrsaIdentity extends IamIdentity {
  protected bindTo(_scope: Construct, serviceAccount: plus.ServiceAccount): void {
    serviceAccount.metadata.addAnnotation('eks.amazonaws.com/role-arn', this.roleArn);
  }
}

class PodIdentity extends IamIdentity {
  public constructor(
    roleArn: string,
    private readonly clusterName: string,
  ) {
    super(roleArn);
  }

  protected bindTo(scope: Construct, serviceAccount: plus.ServiceAccount): void {
    const namespace = chartNamespace(scope, 'EKS Pod Identity');
    new ApiObject(scope, 'PodIdentityAssociation', {
      apiVersion: 'eks.services.k8s.aws/v1alpha1',
      kind: 'PodIdentityAssociation',
      spec: {
        clusterName: this.clusterName,
        namespace,
        serviceAccount: serviceAccount.name,
        roleARN: this.roleArn,
      },
    });
  }
}
