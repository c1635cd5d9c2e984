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
  label: string,
): { stream: Writable; flush: () => void } {
  let pending = '';
  const prefix = `[${label}] `;
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const lines = (pending + String(chunk)).split('\n');
      pending = lines.pop()!;
      if (lines.length > 0) {
        target.write(lines.map((line) => `${prefix}${line}\n`).join(''));
      }
      callback();
    },
  });
  return {
    stream,
    flush: () => {
      if (pending !== '') {
        target.write(`${prefix}${pending}\n`);
        pending = '';
      }
    },
  };
}
