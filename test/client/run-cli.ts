/** The CLI run in-process with its output collected, for the unit and integration tests. */
import { PassThrough } from 'node:stream';
import type { CliIo } from '../../cli/program.js';
import { runCli } from '../../cli/program.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `answer` is typed on a terminal stdin (for prompts); without it, stdin is not a terminal. */
export async function runCollected(
  args: readonly string[],
  io: Pick<CliIo, 'cwd' | 'env'> & { readonly answer?: string },
): Promise<CliRun> {
  const collect = () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    return { stream, text: () => chunks.join('') };
  };
  const stdout = collect();
  const stderr = collect();
  const stdin = Object.assign(new PassThrough(), { isTTY: io.answer !== undefined });
  if (io.answer !== undefined) {
    stdin.end(`${io.answer}\n`);
  }
  const code = await runCli(args, {
    cwd: io.cwd,
    env: io.env,
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
