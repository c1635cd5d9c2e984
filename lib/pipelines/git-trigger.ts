import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { checkDnsLabel, checkDnsSubdomain } from '../core/names.js';
import * as plus from '../core/plus.js';
import { clusterScoped } from '../core/plus.js';
import type { ReleasePipeline, RunOptions } from './release-pipeline.js';

/** The Git host that sends the webhook, and how its pushes are checked and read. */
export abstract class GitProvider {
  /**
   * GitHub: the `github` ClusterInterceptor checks X-Hub-Signature-256 with the Secret's key and accepts
   * `push` events only; the revision is `body.after`.
   */
  public static github(webhookSecret: WebhookSecret): GitProvider {
    return new (class extends GitProvider {
      public readonly interceptor = 'github';
      public readonly eventTypes = ['push'];
      public readonly revision = '$(body.after)';
      public readonly repositoryUrl = '$(body.repository.clone_url)';
    })(webhookSecret);
  }

  /**
   * GitLab: the `gitlab` ClusterInterceptor compares X-Gitlab-Token with the Secret's key and accepts
   * `Push Hook` events only; the revision is `body.checkout_sha`.
   */
  public static gitlab(webhookSecret: WebhookSecret): GitProvider {
    return new (class extends GitProvider {
      public readonly interceptor = 'gitlab';
      public readonly eventTypes = ['Push Hook'];
      public readonly revision = '$(body.checkout_sha)';
      public readonly repositoryUrl = '$(body.project.git_http_url)';
    })(webhookSecret);
  }

  public abstract readonly interceptor: string;
  public abstract readonly eventTypes: readonly string[];
  /** The TriggerBinding value of the pushed commit. */
  public abstract readonly revision: string;
  public abstract readonly repositoryUrl: string;

  protected constructor(public readonly webhookSecret: WebhookSecret) {}
}

/** The Secret (made outside the chart) and key that hold the webhook's shared secret. */
export interface WebhookSecret {
  readonly secretName: string;
  readonly secretKey: string;
}

export interface GitTriggerProps {
  readonly pipeline: ReleasePipeline;
  readonly provider: GitProvider;
  /** The branch whose pushes start a run. @default 'main' */
  readonly branch?: string;
  /** How runs back their workspaces (as `ReleasePipeline.runFor`). */
  readonly runOptions?: RunOptions;
}

/** The API groups and resources Tekton Triggers' sink reads, in its namespace and cluster-wide. */
const TRIGGERS_GROUP = 'triggers.tekton.dev';

/**
 * CodePipeline's source trigger (repository notifications and webhooks) on Tekton Triggers: an
 * EventListener whose trigger checks the webhook's signature with the provider's ClusterInterceptor,
 * keeps pushes to `branch` only (a CEL filter), and creates a PipelineRun of the pipeline for the pushed
 * commit. The EventListener runs as its own ServiceAccount that can read the Triggers objects and create
 * PipelineRuns, and nothing else.
 */
export class GitTrigger extends Construct {
  public readonly eventListenerName: string;
  public readonly serviceAccountName: string;
  public readonly eventListener: ApiObject;

  public constructor(scope: Construct, id: string, props: GitTriggerProps) {
    super(scope, id);
    const { name, branch, namespace } = this.resolve(id, props);
    this.eventListenerName = name;
    this.serviceAccountName = `${name}-listener`;
    this.grantListener(namespace);
    const binding = new ApiObject(this, 'TriggerBinding', {
      apiVersion: `${TRIGGERS_GROUP}/v1beta1`,
      kind: 'TriggerBinding',
      metadata: { name: `${name}-push` },
      spec: {
        params: [
          { name: 'revision', value: props.provider.revision },
          { name: 'repository-url', value: props.provider.repositoryUrl },
        ],
      },
    });
    const template = new ApiObject(this, 'TriggerTemplate', {
      apiVersion: `${TRIGGERS_GROUP}/v1beta1`,
      kind: 'TriggerTemplate',
      metadata: { name: `${name}-run` },
      spec: runTemplateSpec(name, props),
    });
    this.eventListener = new ApiObject(this, 'EventListener', {
      apiVersion: `${TRIGGERS_GROUP}/v1beta1`,
      kind: 'EventListener',
      metadata: { name },
      spec: this.listenerSpec(branch, props.provider, binding.name, template.name),
    });
  }

  /** The name, branch and namespace, checked. */
  private resolve(id: string, props: GitTriggerProps): { name: string; branch: string; namespace: string } {
    const name = checkDnsLabel(this, 'name', id);
    const branch = props.branch ?? 'main';
    if (!/^[\w./-]+$/.test(branch) || branch.includes('..')) {
      invalid(
        this,
        `branch ${show(branch)} is not a branch name`,
        'Use a name such as "main" or "release/1.x"',
      );
    }
    checkDnsSubdomain(this, 'webhook secretName', props.provider.webhookSecret.secretName);
    const namespace = Chart.of(this).namespace;
    if (!namespace) {
      invalid(this, 'a GitTrigger needs its chart to have a namespace', 'Give the chart a namespace');
    }
    return { name, branch, namespace };
  }

  /**
   * The listener's ServiceAccount, which may read the Triggers objects (in its namespace, and the
   * cluster-scoped ones) and create PipelineRuns, and nothing else.
   */
  private grantListener(namespace: string): void {
    const serviceAccount = this.serviceAccountName;
    new plus.k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: serviceAccount } });
    const role = new plus.k8s.KubeRole(this, 'Role', {
      metadata: { name: serviceAccount },
      rules: [
        {
          apiGroups: [TRIGGERS_GROUP],
          resources: ['eventlisteners', 'triggers', 'triggerbindings', 'triggertemplates', 'interceptors'],
          verbs: ['get', 'list', 'watch'],
        },
        { apiGroups: ['tekton.dev'], resources: ['pipelineruns'], verbs: ['create'] },
        // The sink reads its logging config, and records Events about what it triggers.
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      ],
    });
    new plus.k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: { name: serviceAccount },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    });
    const clusterRole = clusterScoped(
      new plus.k8s.KubeClusterRole(this, 'ClusterRole', {
        metadata: { name: `${namespace}-${serviceAccount}` },
        rules: [
          {
            apiGroups: [TRIGGERS_GROUP],
            resources: ['clustertriggerbindings', 'clusterinterceptors'],
            verbs: ['get', 'list', 'watch'],
          },
        ],
      }),
    );
    clusterScoped(
      new plus.k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
        metadata: { name: `${namespace}-${serviceAccount}` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole.name },
        subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
      }),
    );
  }

  /** One trigger: the provider's signature check, pushes to `branch` only, then binding and template. */
  private listenerSpec(branch: string, provider: GitProvider, binding: string, template: string) {
    const secret = provider.webhookSecret;
    return {
      serviceAccountName: this.serviceAccountName,
      triggers: [
        {
          name: `${provider.interceptor}-push-${branch.replace(/[^a-z0-9-]/g, '-')}`,
          interceptors: [
            {
              ref: { name: provider.interceptor, kind: 'ClusterInterceptor' },
              params: [
                { name: 'secretRef', value: { secretName: secret.secretName, secretKey: secret.secretKey } },
                { name: 'eventTypes', value: [...provider.eventTypes] },
              ],
            },
            {
              ref: { name: 'cel', kind: 'ClusterInterceptor' },
              params: [{ name: 'filter', value: `body.ref == 'refs/heads/${branch}'` }],
            },
          ],
          bindings: [{ ref: binding, kind: 'TriggerBinding' }],
          template: { ref: template },
        },
      ],
      resources: {
        kubernetesResource: {
          spec: {
            template: {
              spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } },
            },
          },
        },
      },
    };
  }
}

/** The TriggerTemplate's spec: a PipelineRun of the pipeline for the pushed commit. */
function runTemplateSpec(name: string, props: GitTriggerProps) {
  return {
    params: [
      { name: 'revision', description: 'The pushed commit' },
      { name: 'repository-url', description: 'The repository pushed to' },
    ],
    resourcetemplates: [
      {
        apiVersion: 'tekton.dev/v1',
        kind: 'PipelineRun',
        metadata: {
          generateName: `${props.pipeline.pipelineName}-`,
          labels: { 'cdk8s-devops.io/trigger': name },
          annotations: { 'cdk8s-devops.io/revision': '$(tt.params.revision)' },
        },
        spec: props.pipeline.runSpec({ revision: '$(tt.params.revision)' }, props.runOptions),
      },
    ],
  };
}
