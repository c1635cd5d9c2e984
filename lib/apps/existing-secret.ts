import { Construct } from 'constructs';
import { checkDnsSubdomain } from '../core/names.js';
import * as plus from '../core/plus.js';
import type { IGrantee } from '../security/grants.js';
import { grant, READ_VERBS } from '../security/grants.js';

/** A key of a Secret made elsewhere. */
export interface SecretKey {
  readonly secretName: string;
  readonly key: string;
}

export interface ExistingSecretProps {
  /** The name of the Secret, which something other than the chart creates (External Secrets, Vault, a person). */
  readonly secretName: string;
}

/**
 * A Secret the app uses but does not define: secret values never belong in a chart (the policy checks
 * refuse Secrets with literal data), so charts refer to them by name.
 */
export class ExistingSecret extends Construct {
  /** The Secret, for env and volumes of cdk8s-plus containers. */
  public readonly secret: plus.ISecret;

  public constructor(scope: Construct, id: string, props: ExistingSecretProps) {
    super(scope, id);
    checkDnsSubdomain(this, 'secretName', props.secretName);
    this.secret = plus.Secret.fromSecretName(this, 'Resource', props.secretName);
  }

  /** Lets `grantee` get, list and watch this Secret, and no other. Returns the Role. */
  public grantRead(grantee: IGrantee): plus.k8s.KubeRole {
    return grant(this, { apiGroup: '', resource: 'secrets', name: this.secret.name }, grantee, READ_VERBS);
  }
}
