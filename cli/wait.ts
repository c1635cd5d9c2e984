/** Waiting with progress, and the exit code of a wait, for the commands that wait. */
import type { Manifest, Release, WaitOptions, WaitResult } from '../client/index.js';
import { describeUnready } from '../client/index.js';
import type { CliIo } from './io.js';
import { EXIT } from './io.js';
import type { ProgressView } from './progress.js';
import { createProgress } from './progress.js';

export interface WaitFlags {
  timeout: number;
  objectTimeout?: number;
}

export function waitExitCode(result: WaitResult): number {
  return result.outcome === 'ready' ? EXIT.ok : result.outcome === 'failed' ? EXIT.failed : EXIT.timedOut;
}

export function waitOptions(flags: WaitFlags, progress: ProgressView | undefined): WaitOptions {
  return {
    timeoutMs: flags.timeout,
    objectTimeoutMs: flags.objectTimeout,
    onStatus: progress?.status,
    onEvent: progress?.event,
    onRetry: (error) =>
      progress?.note(`watch interrupted, resuming: ${(error as Error).message ?? String(error)}`),
  };
}

/**
 * Waits with progress on stdout (text output) and a summary line, announcing when everything is watched
 * if asked; `-o json` leaves printing to the caller.
 */
export async function watchAndReport(
  io: CliIo,
  release: Release,
  manifests: Manifest[],
  flags: WaitFlags & { output: 'text' | 'json' },
  options: { announce?: boolean } = {},
): Promise<WaitResult> {
  const progress = flags.output === 'text' ? createProgress({ stream: io.stdout }) : undefined;
  let result: WaitResult;
  try {
    result = await release.watch(manifests, {
      ...waitOptions(flags, progress),
      // `watch` says when it holds everything: from then on, every change shows as it happens.
      onWatching: options.announce ? (n) => progress?.note(`watching ${n} objects`) : undefined,
    });
  } finally {
    progress?.stop();
  }
  if (progress) {
    const ready = result.objects.filter((o) => o.outcome === 'ready').length;
    io.stdout.write(
      `${result.outcome === 'timed-out' ? 'timed out' : result.outcome}: ${ready} of ${result.objects.length} objects ready\n`,
    );
    // Each object that did not make it, with its last reason: what to look at first.
    const unready = describeUnready(result.objects);
    if (unready) {
      io.stdout.write(`${unready}\n`);
    }
  }
  return result;
}
