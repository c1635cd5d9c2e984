/** The CLI run in-process with its output collected, for the unit and integration tests. */
import { PassThrough } from 'node:stream';
import type { CliIo } from '../../cli/program.js';
import { runCli } from '../../cli/program.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCollected(args: readonly string[], io: Pick<CliIo, 'cwd' | 'env'>): Promise<CliRun> {
  const collect = () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    return { stream, text: () => chunks.join('') };
  };
  const stdout = collect();
  const stderr = collect();
  const code = await runCli(args, {
    ...io,
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: new PassThrough(),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
