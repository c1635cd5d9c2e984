import type { Construct } from 'constructs';
import * as plus from '../core/plus.js';
import type { IGrantee, Verb } from '../security/grants.js';
import { grant, granteeOf, READ_VERBS, READ_WRITE_VERBS } from '../security/grants.js';

/**
 * cdk8s-plus's `permissions.grantRead` and `grantReadWrite`, made to behave like the library's own
 * grants: a workload they bind gets its ServiceAccount token mounted, since a Role is no use to pods
 * that cannot authenticate.
 */
class WorkloadAwarePermissions extends plus.ResourcePermissions {
  public override grantRead(...subjects: plus.ISubject[]): plus.RoleBinding {
    this.enableApiAccess(subjects);
    return super.grantRead(...subjects);
  }

  public override grantReadWrite(...subjects: plus.ISubject[]): plus.RoleBinding {
    this.enableApiAccess(subjects);
    return super.grantReadWrite(...subjects);
  }

  private enableApiAccess(subjects: readonly plus.ISubject[]): void {
    for (const subject of subjects) {
      granteeOf(subject)?.enableApiAccess();
    }
  }
}

/** A cdk8s-plus ConfigMap that workloads can be granted access to, one object and its verbs at a time. */
export class ConfigMap extends plus.ConfigMap {
  public override readonly permissions: plus.ResourcePermissions;

  public constructor(scope: Construct, id: string, props: plus.ConfigMapProps = {}) {
    super(scope, id, props);
    this.permissions = new WorkloadAwarePermissions(this);
  }

  /** Lets `grantee` get, list and watch this ConfigMap. Returns the Role. */
  public grantRead(grantee: IGrantee): plus.k8s.KubeRole {
    return this.grant(grantee, READ_VERBS);
  }

  /** Lets `grantee` read, create, update, patch and delete this ConfigMap. Returns the Role. */
  public grantReadWrite(grantee: IGrantee): plus.k8s.KubeRole {
    return this.grant(grantee, READ_WRITE_VERBS);
  }

  /** Lets `grantee` use `verbs` on this ConfigMap. Returns the Role. */
  public grant(grantee: IGrantee, verbs: readonly Verb[]): plus.k8s.KubeRole {
    return grant(this, { apiGroup: '', resource: 'configmaps', name: this.name }, grantee, verbs);
  }
}
