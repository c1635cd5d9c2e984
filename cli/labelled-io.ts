/**
 * The streams of one of several commands running at once: each line they write is prefixed with a label
 * (`[prod] `), written whole, so that lines of two environments never mix within a line.
 */
import { Writable } from 'node:stream';
import type { CliIo } from './io.js';

export interface LabelledIo extends CliIo {
  /** Writes what is left of an unfinished line (a prompt, a progress line without its newline). */
  readonly flush: () => void;
}

export function labelledIo(io: CliIo, label: string): LabelledIo {
  const stdout = labelledStream(io.stdout, label);
  const stderr = labelledStream(io.stderr, label);
  return {
    ...io,
    stdout: stdout.stream,
    stderr: stderr.stream,
    flush: () => {
      stdout.flush();
      stderr.flush();
    },
  };
}

function labelledStream(
  target: NodeJS.WritableStream,
  name: string,
): { stream: Writable; flush: () => void } {
  let pending = '';
  // An empty line carries the label alone, without a trailing space.
  const labelled = (line: string) => (line === '' ? `[${name}]` : `[${name}] ${line}`);
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const lines = (pending + String(chunk)).split('\n');
      pending = lines.pop()!;
      if (lines.length > 0) {
        target.write(lines.map((line) => `${labelled(line)}\n`).join(''));
      }
      callback();
    },
  });
  return {
    stream,
    flush: () => {
      if (pending !== '') {
        target.write(`${labelled(pending)}\n`);
        pending = '';
      }
    },
  };
}
