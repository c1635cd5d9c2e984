import type { Construct } from 'constructs';
import type { TaskV1SpecSteps } from '../../imports/tekton.dev.js';
import { TaskV1 } from '../../imports/tekton.dev.js';
import { invalid, show } from '../core/errors.js';
import { checkImage } from '../core/image.js';
import { checkDnsLabel, checkDnsSubdomain } from '../core/names.js';
import * as plus from '../core/plus.js';
import { IamIdentity } from '../security/iam-identity.js';
import { WAIVER_ANNOTATION_PREFIX } from '../security/policy.js';
import { BuildNamespace } from './build-namespace.js';
import type { WorkspaceBacking } from './task.js';
import { WRITABLE_HOME, stepResources, taskInterface } from './task.js';
import { TaskBase } from './task-base.js';

/** The waiver annotation a root build carries, with its reason. */
export const RUN_AS_ROOT_WAIVER = `${WAIVER_ANNOTATION_PREFIX}run-as-root`;

/** The tool that builds the image, and what it needs from Pod Security. */
export abstract class ImageBuilder {
  /** kaniko: builds without a daemon, as root (so only in a BuildNamespace). Reads DOCKER_CONFIG. */
  public static kaniko(options: { readonly image?: string } = {}): ImageBuilder {
    return new KanikoBuilder(options.image ?? 'gcr.io/kaniko-project/executor:v1.23.2');
  }

  /**
   * buildah, rootless: runs as user 1000 with the vfs driver and chroot isolation. Its user namespace
   * needs privilege escalation (newuidmap), so it also runs in a BuildNamespace, but never as root.
   */
  public static buildah(options: { readonly image?: string } = {}): ImageBuilder {
    return new BuildahBuilder(options.image ?? 'quay.io/buildah/stable:v1.41.4');
  }

  protected constructor(
    public readonly image: string,
    /** Whether the builder runs as root (the `run-as-root` policy rule). */
    public readonly root: boolean,
  ) {}

  /** The step's script: builds `$(params.IMAGE)` and writes the digest and URL results. */
  public abstract script(): string;
  public abstract securityContext(): TaskV1SpecSteps['securityContext'];
  /** Whether the builder can use the ECR credential helper. */
  public abstract readonly ecr: boolean;
}

class KanikoBuilder extends ImageBuilder {
  public readonly ecr = true;

  public constructor(image: string) {
    super(image, true);
  }

  public script(): string {
    return [
      '#!/busybox/sh',
      'set -eu',
      '/kaniko/executor \\',
      '  --dockerfile="$(params.DOCKERFILE)" \\',
      '  --context="$(workspaces.source.path)/$(params.CONTEXT)" \\',
      '  --destination="$(params.IMAGE)" \\',
      '  --digest-file="$(results.IMAGE_DIGEST.path)"',
      'printf "%s" "$(params.IMAGE)" > "$(results.IMAGE_URL.path)"',
      '',
    ].join('\n');
  }

  public securityContext(): TaskV1SpecSteps['securityContext'] {
    // kaniko unpacks base images as root: no escalation, no privileged mode, the default capabilities.
    return {
      runAsUser: 0,
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      seccompProfile: { type: 'RuntimeDefault' },
    };
  }
}

class BuildahBuilder extends ImageBuilder {
  public readonly ecr = false;

  public constructor(image: string) {
    super(image, false);
  }

  public script(): string {
    return [
      '#!/bin/bash',
      'set -euo pipefail',
      'cd "$(workspaces.source.path)/$(params.CONTEXT)"',
      'buildah --storage-driver=vfs bud --isolation=chroot -f "$(params.DOCKERFILE)" -t "$(params.IMAGE)" .',
      'buildah --storage-driver=vfs push --digestfile "$(results.IMAGE_DIGEST.path)" "$(params.IMAGE)" "docker://$(params.IMAGE)"',
      'printf "%s" "$(params.IMAGE)" > "$(results.IMAGE_URL.path)"',
      '',
    ].join('\n');
  }

  public securityContext(): TaskV1SpecSteps['securityContext'] {
    return {
      runAsUser: 1000,
      runAsGroup: 1000,
      runAsNonRoot: true,
      allowPrivilegeEscalation: true,
      capabilities: { drop: ['ALL'], add: ['SETUID', 'SETGID'] },
      seccompProfile: { type: 'RuntimeDefault' },
    };
  }
}

/** Where the image is pushed, and how the builder logs in. */
export abstract class ImageRegistry {
  /**
   * Any registry, with a `kubernetes.io/dockerconfigjson` Secret mounted as DOCKER_CONFIG.
   * @param repository for example 'ghcr.io/acme/api'
   */
  public static dockerConfig(repository: string, secretName: string): ImageRegistry {
    return new (class extends ImageRegistry {
      public bind(): RegistryBinding {
        return {
          backing: { secret: secretName, items: [{ key: '.dockerconfigjson', path: 'config.json' }] },
        };
      }
    })(repository);
  }

  /**
   * Amazon ECR through IRSA: the build's ServiceAccount assumes `roleArn`, and the ECR credential helper
   * turns that into registry logins. No secret at all.
   * @param repository for example '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api'
   */
  public static ecr(repository: string, roleArn: string): ImageRegistry {
    return new (class extends ImageRegistry {
      public bind(
        scope: Construct,
        serviceAccount: plus.ServiceAccount,
        builder: ImageBuilder,
      ): RegistryBinding {
        const host = repository.split('/')[0];
        if (!/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(host)) {
          invalid(
            scope,
            `ECR repository ${show(repository)} is not in an ECR registry`,
            'Use 123456789012.dkr.ecr.<region>.amazonaws.com/<name>',
          );
        }
        if (!builder.ecr) {
          invalid(
            scope,
            'this builder has no ECR credential helper',
            'Use ImageBuilder.kaniko() for ECR, or ImageRegistry.dockerConfig',
          );
        }
        IamIdentity.irsa(roleArn)._bind(scope, serviceAccount);
        const config = new plus.k8s.KubeConfigMap(scope, 'DockerConfig', {
          data: { 'config.json': JSON.stringify({ credHelpers: { [host]: 'ecr-login' } }) },
        });
        return { backing: { configMap: config.name } };
      }
    })(repository);
  }

  protected constructor(public readonly repository: string) {}

  /** @internal what the Task's `dockerconfig` workspace is bound to */
  public abstract bind(
    scope: Construct,
    serviceAccount: plus.ServiceAccount,
    builder: ImageBuilder,
  ): RegistryBinding;
}

export interface RegistryBinding {
  readonly backing: WorkspaceBacking;
}

export interface ImageBuildProps {
  readonly registry: ImageRegistry;
  /** @default ImageBuilder.kaniko() */
  readonly builder?: ImageBuilder;
  /** @default - the construct id */
  readonly taskName?: string;
}

/**
 * Builds the image of the `source` workspace and pushes it as `$(params.IMAGE)` (the repository and a
 * tag, usually the commit); the digest is the `IMAGE_DIGEST` result and `imageAt(task)` the exact
 * reference a deploy uses. Root builders (kaniko) are refused outside a BuildNamespace, and carry the
 * `run-as-root` waiver with the namespace's reason.
 */
export class ImageBuild extends TaskBase<readonly ['IMAGE_DIGEST', 'IMAGE_URL']> {
  public readonly repository: string;
  public readonly task: TaskV1;

  public constructor(scope: Construct, id: string, props: ImageBuildProps) {
    super(scope, id);
    const taskName = checkDnsLabel(this, 'taskName', props.taskName ?? id);
    const builder = props.builder ?? ImageBuilder.kaniko();
    this.repository = props.registry.repository;
    if (/[:@]/.test(this.repository.split('/').slice(1).join('/')) || !this.repository.includes('/')) {
      invalid(
        this,
        `repository ${show(this.repository)} must name a repository without tag or digest`,
        'Use host/org/name; the tag is the IMAGE param',
      );
    }
    const serviceAccountName = `${taskName}-image`;
    checkDnsSubdomain(this, 'ServiceAccount name', serviceAccountName);
    const serviceAccount = new plus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: serviceAccountName },
      automountToken: false,
    });
    const binding = props.registry.bind(this, serviceAccount, builder);
    this.declareTask({
      taskName,
      serviceAccountName,
      workspaceBackings: { dockerconfig: binding.backing },
      params: [
        { name: 'IMAGE', description: `The reference to push: ${this.repository}:<tag>` },
        { name: 'DOCKERFILE', description: 'The Dockerfile, relative to CONTEXT', default: './Dockerfile' },
        { name: 'CONTEXT', description: 'The build context, relative to the source', default: '.' },
      ],
      results: ['IMAGE_DIGEST', 'IMAGE_URL'],
      workspaces: [
        { name: 'source', description: 'The source with the Dockerfile' },
        { name: 'dockerconfig', description: 'config.json for the registry', readOnly: true },
      ],
    });
    BuildNamespace.require(
      this,
      builder.root
        ? `${builder.image} builds as root`
        : `${builder.image} needs privilege escalation for its user namespace`,
    );
    this.task = new TaskV1(this, 'Resource', {
      metadata: {
        name: this.taskName,
        ...(builder.root
          ? {
              annotations: {
                [RUN_AS_ROOT_WAIVER]:
                  'image builds with kaniko unpack base images as root; runs only in a BuildNamespace (Pod Security "baseline")',
              },
            }
          : {}),
      },
      spec: {
        description: `Builds and pushes an image to ${this.repository}`,
        ...taskInterface(this),
        volumes: [...WRITABLE_HOME.volumes],
        steps: [
          {
            name: 'build-and-push',
            image: checkImage(this, builder.image, false),
            env: [...WRITABLE_HOME.env, { name: 'DOCKER_CONFIG', value: '$(workspaces.dockerconfig.path)' }],
            volumeMounts: [...WRITABLE_HOME.mounts],
            securityContext: builder.securityContext(),
            computeResources: stepResources({ memoryLimit: '4Gi' }),
            script: builder.script(),
          },
        ],
      },
    });
  }

  /** The image as pushed by pipeline task `pipelineTask`: repository@digest, for a deploy. */
  public imageAt(pipelineTask: string): string {
    return `${this.repository}@$(tasks.${pipelineTask}.results.IMAGE_DIGEST)`;
  }
}
