/** `status`: whether each object is ready now; exits 2 when some are not yet. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { ApiClient } from '../../client/transport/api-client.js';
import { identityOf } from '../../client/transport/resources.js';
import type { GitOpsStatus } from '../../client/wait/gitops-status.js';
import { describeGitOps, publishedNotApplied, readGitOpsStatus } from '../../client/wait/gitops-status.js';
import { describeEvent, loadKubeConfig } from '../../client/index.js';
import type { CliIo } from '../io.js';
import { EXIT, ExitCode } from '../io.js';
import type { ConnectionFlags, SourceFlags } from '../options.js';
import { connect, loadSources, releaseIdentity, withConnection, withSources } from '../options.js';
import { printJson, printTable } from '../output.js';
import { describeReadiness } from '../progress.js';

type StatusFlags = ConnectionFlags & SourceFlags & { gitops?: boolean; gitopsNamespace: string };

export function registerStatus(program: Command, io: CliIo): void {
  withSources(withConnection(program.command('status').description('show whether each object is ready now')))
    .option(
      '--gitops',
      "also show the GitOps engine's view: the Flux Kustomization of the environment and its source",
    )
    .option('--gitops-namespace <name>', "the namespace of the engine's objects", 'flux-system')
    .action(async (paths: string[], flags: StatusFlags) => {
      const gitops = flags.gitops ? await gitOpsStatus(io, flags) : undefined;
      // Only what names each object: it is judged by its live version.
      const objects = await loadSources(io, paths, flags, identityOf);
      const statuses = await connect(io, flags).status(objects);
      if (flags.output === 'json') {
        printJson(io, gitops ? { gitops, objects: statuses } : statuses);
      } else {
        if (gitops) {
          printGitOps(io, flags.env ?? releaseIdentity(io, flags).name, gitops);
        }
        printTable(
          io,
          ['OBJECT', 'STATUS'],
          statuses.map((s) => [
            s.ref,
            `${describeReadiness(s.readiness)}${s.lastWarning ? `; last warning: ${describeEvent(s.lastWarning)}` : ''}`,
          ]),
        );
      }
      const states = [...statuses.map((s) => s.readiness.state), ...(gitops ? [engineState(gitops)] : [])];
      throw new ExitCode(
        states.includes('failed')
          ? EXIT.failed
          : states.every((s) => s === 'ready')
            ? EXIT.ok
            : EXIT.timedOut,
      );
    });
}

/**
 * The engine's objects of the environment, named after its ApplySet as GitOps.flux names them, and the
 * commit its GitRepository's branch points to now.
 */
async function gitOpsStatus(io: CliIo, flags: StatusFlags): Promise<GitOpsStatus> {
  const kubeConfig = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context, env: io.env });
  const api = ApiClient.fromKubeConfig(kubeConfig, { retry: { retries: flags.requestRetries } });
  const status = await readGitOpsStatus(api, flags.gitopsNamespace, releaseIdentity(io, flags).name);
  const { url, branch } = status.source ?? {};
  const published = url && branch ? await branchHead(url, branch, io.env) : undefined;
  return published ? { ...status, published } : status;
}

/** The branch's commit as `git ls-remote` reads it, or undefined when the repository cannot be read from here. */
async function branchHead(url: string, branch: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    // Never a credential prompt: status answers from what it can read as it is.
    const { stdout } = await promisify(execFile)('git', ['ls-remote', url, `refs/heads/${branch}`], {
      timeout: 10_000,
      env: { ...env, GIT_TERMINAL_PROMPT: '0' },
    });
    return stdout.split('\t')[0] || undefined;
  } catch {
    return undefined;
  }
}

function printGitOps(io: CliIo, environment: string, status: GitOpsStatus): void {
  io.stdout.write(`${describeGitOps(environment, status)}\n`);
  printTable(
    io,
    ['ENGINE OBJECT', 'READY', 'REVISION', 'MESSAGE'],
    [
      [
        status.kustomization.ref,
        status.kustomization.ready,
        status.kustomization.appliedRevision ?? '',
        status.kustomization.message ?? '',
      ],
      ...(status.source
        ? [
            [
              status.source.ref,
              status.source.ready,
              status.source.revision ?? '',
              status.source.message ?? '',
            ],
          ]
        : []),
    ],
  );
}

function engineState(status: GitOpsStatus): 'ready' | 'failed' | 'progressing' {
  const { kustomization, source } = status;
  if (kustomization.ready === 'False' || source?.ready === 'False') {
    return 'failed';
  }
  return kustomization.ready === 'True' && !publishedNotApplied(status) ? 'ready' : 'progressing';
}
