import { ApiObject, Chart, Lazy } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { Construct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import * as plus from '../core/plus.js';
import { clusterScoped } from '../core/plus.js';
import { shellQuote } from './build-script.js';
import { CustomTask } from './custom-task.js';
import type { GitCredentials } from './git-source.js';
import { cloneScript } from './git-source.js';
import type { TaskParamSpec } from './task.js';
import { TaskBase } from './task-base.js';

/**
 * A bash snippet that pins each image repository in the YAML files of `dir` to a reference (usually
 * repository@digest, from an ImageBuild's result): `image: ghcr.io/acme/api:1.4.2` becomes
 * `image: ghcr.io/acme/api@sha256:...`. Only whole repository names match.
 */
export function pinImagesScript(dir: string, images: Readonly<Record<string, string>>): string[] {
  return Object.entries(images).map(([repository, reference]) => {
    const pattern = repository.replace(/[.[\]\\*^$/+?(){}|-]/g, '\\$&');
    return `find ${dir} -name '*.yaml' -exec sed -i -E ${shellQuote(`s#^([[:space:]-]*image:[[:space:]]*["']?)${pattern}([:@][^"'[:space:]]*)?(["']?)[[:space:]]*$#\\1${reference.replace(/[#&\\]/g, '\\$&')}\\3#`)} {} +`;
  });
}

export interface ApplyDeployProps {
  /** An image with Node.js and this project (`npx cdk8s-devops`), pinned. */
  readonly image: string;
  /** The chart whose objects the deploy applies: its ServiceAccount may change those kinds, nothing else. */
  readonly chart: Chart;
  /** @default - the chart's namespace */
  readonly applyset?: string;
  /** The manifests' folder, relative to the `manifests` workspace. @default 'dist' */
  readonly manifestsDir?: string;
  /**
   * The image repositories the deploy pins: each gets a param (`imageParams` names it) whose value, from
   * the pipeline, is the reference to deploy (`imageBuild.imageAt('image')`: repository@digest).
   *
   * @default - images as synthesized
   */
  readonly repositories?: readonly string[];
  /** @default '10m' */
  readonly waitTimeout?: string;
}

export interface GitOpsDeployProps {
  /** The GitOps repository. */
  readonly repository: string;
  readonly credentials: GitCredentials;
  /** @default 'main' */
  readonly branch?: string;
  /** The folder of the repository the manifests replace. */
  readonly path: string;
  /** @default 'dist' */
  readonly manifestsDir?: string;
  /** As for `Deploy.apply`. */
  readonly repositories?: readonly string[];
  /** An image with git and sh. @default 'docker.io/alpine/git:2.49.1' */
  readonly image?: string;
}

/** The deploy stage: apply with the project's client, or commit to a GitOps repository. */
export class Deploy extends TaskBase {
  /**
   * Applies the synthesized manifests with `cdk8s-devops apply --wait` (history, prune, rollback on a
   * failed wait), pinned to the built images, as a ServiceAccount that may manage exactly the kinds the
   * chart has (in its namespace; cluster-scoped ones by name).
   */
  public static apply(scope: Construct, id: string, props: ApplyDeployProps): Deploy {
    return new Deploy(scope, id, 'apply', props);
  }

  /** Commits the manifests, pinned to the built images, to a folder of a GitOps repository (Argo CD, Flux). */
  public static gitOps(scope: Construct, id: string, props: GitOpsDeployProps): Deploy {
    return new Deploy(scope, id, 'gitops', props);
  }

  public readonly task: CustomTask;

  private constructor(
    scope: Construct,
    id: string,
    kind: 'apply' | 'gitops',
    props: ApplyDeployProps | GitOpsDeployProps,
  ) {
    super(scope, id);
    const pinning = imagePinning(props);
    this.task =
      kind === 'apply'
        ? this.applyTask(id, props as ApplyDeployProps, pinning)
        : this.gitOpsTask(id, props as GitOpsDeployProps, pinning);
    this.declareTask(this.task);
  }

  /** Applies with the project's client, as a ServiceAccount that may change the chart's kinds only. */
  private applyTask(id: string, p: ApplyDeployProps, { dir, pin, imageParams }: ImagePinning): CustomTask {
    const applyset = p.applyset ?? p.chart.namespace;
    if (!applyset) {
      invalid(this, 'a deploy needs an applyset name', 'Set applyset, or give the chart a namespace');
    }
    const task = new CustomTask(this, 'Task', {
      taskName: id,
      description: `Applies ${p.manifestsDir ?? 'dist'} as ApplySet ${applyset}`,
      params: imageParams,
      workspaces: [{ name: 'manifests', description: 'The synthesized manifests' }],
      results: ['revision'],
      steps: [
        {
          name: 'apply',
          image: p.image,
          script: [
            '#!/bin/bash',
            'set -euo pipefail',
            ...pin,
            `npx --no-install cdk8s-devops apply ${dir} --applyset ${shellQuote(applyset)} --yes --wait --timeout ${shellQuote(p.waitTimeout ?? '10m')} --rollback-on-failure -m "release $(context.pipelineRun.name)" | tee /tmp/apply.log`,
            `sed -n 's/.*recorded revision \\([0-9]*\\).*/\\1/p' /tmp/apply.log | tail -1 | tr -d '\\n' > "$(results.revision.path)"`,
            '',
          ].join('\n'),
        },
      ],
    });
    task.enableApiAccess();
    grantApplyOf(this, p.chart, task.serviceAccountName);
    return task;
  }

  /** Commits the pinned manifests to a folder of the GitOps repository, with its credentials. */
  private gitOpsTask(id: string, p: GitOpsDeployProps, { dir, pin }: ImagePinning): CustomTask {
    if (p.path.startsWith('/') || p.path.split('/').includes('..') || !p.path) {
      invalid(
        this,
        `path must be a folder inside the repository, got ${show(p.path)}`,
        'Use a relative path such as "apps/shop"',
      );
    }
    const ws = p.credentials.workspace;
    return new CustomTask(this, 'Task', {
      taskName: id,
      description: `Commits ${p.manifestsDir ?? 'dist'} to ${p.repository} ${p.path}`,
      params: [
        { name: 'url', default: p.repository },
        { name: 'revision', default: p.branch ?? 'main' },
        {
          name: 'message',
          description: 'The commit message',
          default: 'release $(context.pipelineRun.name)',
        },
      ],
      workspaces: [
        { name: 'manifests', description: 'The synthesized manifests' },
        { name: 'output' },
        { name: ws, readOnly: true },
      ],
      workspaceBackings: { [ws]: { secret: p.credentials.secretName } },
      results: ['commit', 'url'],
      steps: [
        {
          name: 'commit',
          image: p.image ?? 'docker.io/alpine/git:2.49.1',
          env: [
            { name: 'PARAM_URL', value: '$(params.url)' },
            { name: 'PARAM_REVISION', value: '$(params.revision)' },
          ],
          script: [
            cloneScript(p.credentials)
              .replace('git fetch -q --depth 1', 'git fetch -q')
              .replace(/printf "%s" "\$\(git rev-parse HEAD\)".*\n/, ''),
            ...pin,
            `rm -rf ${shellQuote(p.path)} && mkdir -p ${shellQuote(p.path)}`,
            `cp -R ${dir}/. ${shellQuote(p.path)}/`,
            'git add -A',
            'if git diff --cached --quiet; then echo "nothing to commit"; else',
            '  git -c user.name=cdk8s-devops -c user.email=cdk8s-devops@noreply commit -q -m "$(params.message)"',
            '  git push -q origin "HEAD:$PARAM_REVISION"',
            'fi',
            'printf "%s" "$(git rev-parse HEAD)" > "$(results.commit.path)"',
            '',
          ].join('\n'),
        },
      ],
    });
  }

  /** The params of a pipeline task that deploys `references` (repository -> reference). */
  public imageParams(references: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(references).map(([r, ref]) => [imageParamName(r), ref]));
  }
}

/** How a deploy pins images: the manifests' folder, the sed lines, and a param per repository. */
interface ImagePinning {
  readonly dir: string;
  readonly pin: string[];
  readonly imageParams: TaskParamSpec[];
}

function imagePinning(props: ApplyDeployProps | GitOpsDeployProps): ImagePinning {
  const dir = `"$(workspaces.manifests.path)"/${shellQuote(props.manifestsDir ?? 'dist')}`;
  const repositories = props.repositories ?? [];
  const pin = pinImagesScript(
    dir,
    Object.fromEntries(repositories.map((r) => [r, `$(params.${imageParamName(r)})`])),
  );
  const imageParams = repositories.map((r) => ({
    name: imageParamName(r),
    description: `The reference of ${r} to deploy`,
  }));
  return { dir, pin, imageParams };
}

/** The param that carries the reference of `repository`: `image-` and its last path segment. */
export function imageParamName(repository: string): string {
  return `image-${repository
    .split('/')
    .pop()!
    .replace(/[^a-z0-9-]/g, '-')}`;
}

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ClusterInterceptor',
  'ClusterTriggerBinding',
]);

/** The plural resource name of a kind, as RBAC rules spell it. */
export function resourceOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|ch|sh)$/.test(lower)) {
    return `${lower}es`;
  }
  return /[^aeiou]y$/.test(lower) ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

/**
 * A Role (and for cluster-scoped objects a ClusterRole naming them) that lets `serviceAccount` apply,
 * prune and watch the objects of `chart`: the kinds it has, the Secrets of the ApplySet and its
 * revisions, and read access to what readiness looks at (pods, replicasets, events).
 */
function grantApplyOf(scope: Deploy, chart: Chart, serviceAccount: string): void {
  const namespace = Chart.of(scope).namespace;
  const objects = () =>
    chart.node.findAll().filter((c: IConstruct): c is ApiObject => c instanceof ApiObject);
  const groupOf = (o: ApiObject) => (o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '');
  const write = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
  const namespacedRules = () => {
    const byGroup = new Map<string, Set<string>>([['', new Set(['secrets'])]]);
    for (const o of objects().filter((o) => !CLUSTER_SCOPED.has(o.kind))) {
      byGroup.set(groupOf(o), (byGroup.get(groupOf(o)) ?? new Set()).add(resourceOf(o.kind)));
    }
    return [
      ...[...byGroup].map(([group, resources]) => ({
        apiGroups: [group],
        resources: [...resources].sort(),
        verbs: write,
      })),
      { apiGroups: [''], resources: ['pods', 'events'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get', 'list', 'watch'] },
    ];
  };
  const role = new plus.k8s.KubeRole(scope, 'ApplyRole', {
    metadata: { namespace: chart.namespace ?? namespace },
    rules: Lazy.any({ produce: namespacedRules }) as plus.k8s.PolicyRule[],
  });
  new plus.k8s.KubeRoleBinding(scope, 'ApplyRoleBinding', {
    metadata: { namespace: chart.namespace ?? namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
  });
  const clusterRules = () => {
    const cluster = objects().filter((o) => CLUSTER_SCOPED.has(o.kind));
    // create, list and watch cannot be limited to names in RBAC; everything else is.
    const kinds = [...new Set(cluster.map((o) => `${groupOf(o)}/${resourceOf(o.kind)}`))].map((gr) => ({
      apiGroups: [gr.split('/')[0]],
      resources: [gr.split('/')[1]],
      verbs: ['create', 'list', 'watch'],
    }));
    const named = cluster.map((o) => ({
      apiGroups: [groupOf(o)],
      resources: [resourceOf(o.kind)],
      resourceNames: [o.name],
      verbs: ['get', 'update', 'patch', 'delete'],
    }));
    return [...kinds, ...named];
  };
  const clusterRole = clusterScoped(
    new plus.k8s.KubeClusterRole(scope, 'ApplyClusterRole', {
      // Cluster-scoped: the name says whose it is, so that deploys of other namespaces never collide.
      metadata: { name: `${namespace}-${serviceAccount}-apply` },
      rules: Lazy.any({ produce: clusterRules }) as plus.k8s.PolicyRule[],
    }),
  );
  clusterScoped(
    new plus.k8s.KubeClusterRoleBinding(scope, 'ApplyClusterRoleBinding', {
      metadata: { name: `${namespace}-${serviceAccount}-apply` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole.name },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    }),
  );
}
