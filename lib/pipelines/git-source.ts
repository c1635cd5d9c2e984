import type { Construct } from 'constructs';
import type { TaskV1SpecSteps } from '../../imports/tekton.dev.js';
import { TaskV1 } from '../../imports/tekton.dev.js';
import { invalid, show } from '../core/errors.js';
import { checkImage } from '../core/image.js';
import { checkDnsLabel, checkDnsSubdomain } from '../core/names.js';
import * as plus from '../core/plus.js';
import { RESTRICTED_STEP_SECURITY, WRITABLE_HOME, stepResources, taskInterface } from './task.js';
import { TaskBase } from './task-base.js';

/** How git authenticates to the repository: a Secret mounted as a workspace, never an env variable. */
export class GitCredentials {
  /**
   * HTTPS basic auth: a Secret with the keys `.git-credentials` (`https://user:token@host`) and
   * `.gitconfig` (`[credential] helper = store`), as Tekton's catalog git-clone reads it.
   */
  public static basicAuth(secretName: string): GitCredentials {
    return new GitCredentials('basic-auth', secretName);
  }

  /** SSH: a Secret with a private key (`id_ed25519` or `id_rsa`) and `known_hosts`. */
  public static ssh(secretName: string): GitCredentials {
    return new GitCredentials('ssh-directory', secretName);
  }

  private constructor(
    /** The workspace the Secret is bound to. */
    public readonly workspace: 'basic-auth' | 'ssh-directory',
    public readonly secretName: string,
  ) {}
}

export interface GitSourceProps {
  /** The repository, https://... or ssh (git@host:org/repo.git). */
  readonly url: string;
  /** @default 'main' (a PipelineRun can give another revision: the param `revision`) */
  readonly revision?: string;
  /** @default - anonymous access */
  readonly credentials?: GitCredentials;
  /** An image with git and sh. @default GitSource.DEFAULT_IMAGE */
  readonly image?: string;
  /** @default - the construct id */
  readonly taskName?: string;
}

/**
 * CodeCommit's role in a pipeline: a Task that fetches one revision of a git repository into the
 * `output` workspace, shallow, and gives the commit as its `commit` result (and the URL as `url`).
 */
export class GitSource extends TaskBase<readonly ['commit', 'url']> {
  public static readonly DEFAULT_IMAGE = 'docker.io/alpine/git:2.49.1';

  public readonly task: TaskV1;

  public constructor(scope: Construct, id: string, props: GitSourceProps) {
    super(scope, id);
    const taskName = checkDnsLabel(this, 'taskName', props.taskName ?? id);
    if (!/^(https:\/\/[^\s@]+|ssh:\/\/\S+|[\w.-]+@[\w.-]+:\S+)$/.test(props.url)) {
      invalid(
        this,
        `url must be an https or ssh git URL without credentials, got ${show(props.url)}`,
        'Use https://host/org/repo.git or git@host:org/repo.git, with credentials from GitCredentials',
      );
    }
    const ssh = !props.url.startsWith('https://');
    if (props.credentials) {
      checkDnsSubdomain(this, 'credentials secretName', props.credentials.secretName);
      if (ssh !== (props.credentials.workspace === 'ssh-directory')) {
        invalid(
          this,
          `${ssh ? 'an ssh' : 'an https'} URL needs ${ssh ? 'GitCredentials.ssh' : 'GitCredentials.basicAuth'}`,
          `Use ${ssh ? 'GitCredentials.ssh(secretName)' : 'GitCredentials.basicAuth(secretName)'}`,
        );
      }
    }
    this.declareTask({
      taskName,
      params: [
        { name: 'url', description: 'The repository', default: props.url },
        { name: 'revision', description: 'A branch, tag or commit', default: props.revision ?? 'main' },
      ],
      results: ['commit', 'url'],
      workspaces: [
        { name: 'output', description: 'Where the revision is checked out' },
        ...(props.credentials ? [{ name: props.credentials.workspace, readOnly: true }] : []),
      ],
      workspaceBackings: props.credentials
        ? { [props.credentials.workspace]: { secret: props.credentials.secretName } }
        : {},
      serviceAccountName: `${taskName}-git`,
    });
    new plus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.serviceAccountName },
      automountToken: false,
    });
    this.task = new TaskV1(this, 'Resource', {
      metadata: { name: this.taskName },
      spec: {
        description: `Fetches a revision of ${props.url}`,
        ...taskInterface(this),
        volumes: [...WRITABLE_HOME.volumes],
        steps: [
          {
            name: 'clone',
            image: checkImage(this, props.image ?? GitSource.DEFAULT_IMAGE, false),
            env: [
              ...WRITABLE_HOME.env,
              { name: 'PARAM_URL', value: '$(params.url)' },
              { name: 'PARAM_REVISION', value: '$(params.revision)' },
            ],
            volumeMounts: [...WRITABLE_HOME.mounts],
            securityContext: RESTRICTED_STEP_SECURITY as unknown as TaskV1SpecSteps['securityContext'],
            computeResources: stepResources({ memoryLimit: '1Gi' }),
            script: cloneScript(props.credentials),
          },
        ],
      },
    });
  }
}

/** The clone step: credentials copied into HOME, a shallow fetch of the revision, the commit as result. */
export function cloneScript(credentials?: GitCredentials): string {
  const lines = ['#!/bin/sh', 'set -eu'];
  if (credentials?.workspace === 'basic-auth') {
    lines.push(
      'cp "$(workspaces.basic-auth.path)/.git-credentials" "$HOME/.git-credentials"',
      'cp "$(workspaces.basic-auth.path)/.gitconfig" "$HOME/.gitconfig"',
      'chmod 400 "$HOME/.git-credentials"',
    );
  } else if (credentials?.workspace === 'ssh-directory') {
    lines.push(
      'mkdir -p "$HOME/.ssh"',
      'cp -R "$(workspaces.ssh-directory.path)/." "$HOME/.ssh/"',
      'chmod 700 "$HOME/.ssh"',
      'chmod 600 "$HOME"/.ssh/*',
    );
  }
  lines.push(
    'cd "$(workspaces.output.path)"',
    // Emptied first: a workspace reused between runs must not mix two checkouts.
    'find . -mindepth 1 -maxdepth 1 -exec rm -rf {} +',
    'git init -q .',
    'git remote add origin "$PARAM_URL"',
    'git fetch -q --depth 1 origin "$PARAM_REVISION"',
    'git checkout -q FETCH_HEAD',
    'printf "%s" "$(git rev-parse HEAD)" > "$(results.commit.path)"',
    'printf "%s" "$PARAM_URL" > "$(results.url.path)"',
    'echo "fetched $PARAM_URL $PARAM_REVISION at $(git rev-parse HEAD)"',
    '',
  );
  return lines.join('\n');
}
