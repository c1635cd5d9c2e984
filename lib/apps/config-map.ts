import type { Construct } from 'constructs';
import * as plus from '../core/plus.js';
import type { IGrantee, Verb } from '../security/grants.js';
import { grant, READ_VERBS, READ_WRITE_VERBS } from '../security/grants.js';

/** A cdk8s-plus ConfigMap that workloads can be granted access to, one object and its verbs at a time. */
export class ConfigMap extends plus.ConfigMap {
  public constructor(scope: Construct, id: string, props: plus.ConfigMapProps = {}) {
    super(scope, id, props);
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
