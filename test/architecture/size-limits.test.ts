/**
 * No file in lib/, client/, cli/, charts/ or test/cluster/ over 450 lines, and no function there over 80
 * (issue 26): ESLint's `max-lines` and `max-lines-per-function`, with the limits in size-limits.mjs.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../util/project.js';

interface LintResult {
  filePath: string;
  messages: { line: number; message: string }[];
}

/** ESLint's command with the size limits alone: each message as `file:line message`. */
async function sizeProblems(paths: readonly string[], cwd = PROJECT_ROOT): Promise<string[]> {
  const eslint = join(PROJECT_ROOT, 'node_modules', '.bin', 'eslint');
  const config = join(PROJECT_ROOT, 'test', 'architecture', 'size-limits.mjs');
  const run = promisify(execFile)(eslint, ['--config', config, '--format', 'json', ...paths], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  });
  // ESLint exits 1 when it reports a problem; its JSON is on stdout either way.
  const { stdout } = await run.catch((error: { stdout?: string }) => {
    if (!error.stdout) throw error;
    return { stdout: error.stdout };
  });
  return (JSON.parse(stdout) as LintResult[]).flatMap((r) =>
    r.messages.map((m) => `${r.filePath.slice(cwd.length + 1)}:${m.line} ${m.message}`),
  );
}

test('no file of the tree over 450 lines, no function over 80', async () => {
  expect(await sizeProblems(['lib', 'client', 'cli', 'charts', 'test/cluster'])).toEqual([]);
}, 120_000);

test('a function of 81 lines and a file of 451 are found', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'size-limits-'));
  try {
    await mkdir(join(dir, 'lib'));
    const body = Array.from({ length: 79 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    await writeFile(join(dir, 'lib', 'long.ts'), `export function long(): void {\n${body}\n}\n`);
    const constants = Array.from({ length: 451 }, (_, i) => `export const c${i} = ${i};`);
    await writeFile(join(dir, 'lib', 'big.ts'), constants.join('\n'));
    expect(await sizeProblems(['lib'], dir)).toEqual([
      'lib/big.ts:451 File has too many lines (451). Maximum allowed is 450.',
      "lib/long.ts:1 Function 'long' has too many lines (81). Maximum allowed is 80.",
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);
