import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './util/project.js';

const exec = promisify(execFile);
const runner = join(PROJECT_ROOT, 'cli', 'run-bundled.mjs');

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A project folder holding `main.ts` and a lock file, as cdk8s runs the app command in it. */
function project(main: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'run-bundled-'));
  made.push(dir);
  writeFileSync(join(dir, 'package-lock.json'), '{}\n');
  writeFileSync(join(dir, 'main.ts'), main);
  return dir;
}

function run(dir: string, ...args: string[]) {
  return exec(process.execPath, [runner, 'main.ts', ...args], { cwd: dir });
}

const cacheDir = (dir: string) => join(dir, 'node_modules', '.cache', 'cdk8s-devops');

test('runs the entry from a CommonJS bundle, compiled from the code cache its first run made', async () => {
  const dir = project(
    "const answer: number = 42;\nconsole.log(process.argv.slice(3).join(','), answer, import.meta.url);\n",
  );
  const bundle = join(cacheDir(dir), 'main.cjs');
  const expected = `a,b 42 ${pathToFileURL(bundle).href}\n`;
  expect((await run(dir, 'a', 'b')).stdout).toBe(expected);
  const cache = `${bundle}.cache`;
  const made = statSync(cache).mtimeMs;

  // V8 took the cache: it is not made again.
  expect((await run(dir, 'a', 'b')).stdout).toBe(expected);
  expect(statSync(cache).mtimeMs).toBe(made);

  // A cache V8 rejects is made again from this run.
  writeFileSync(cache, 'not a code cache');
  expect((await run(dir, 'a', 'b')).stdout).toBe(expected);
  expect(readFileSync(cache, 'latin1')).not.toBe('not a code cache');
}, 60_000);

test('a newer source is bundled again, and the old bundle’s code cache goes with it', async () => {
  const dir = project("console.log('first');\n");
  expect((await run(dir)).stdout).toBe('first\n');
  const cache = join(cacheDir(dir), 'main.cjs.cache');
  const longAgo = new Date('2020-01-01T00:00:00Z');
  utimesSync(cache, longAgo, longAgo);

  writeFileSync(join(dir, 'main.ts'), "console.log('second');\n");
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(dir, 'main.ts'), later, later);
  expect((await run(dir)).stdout).toBe('second\n');
  expect(statSync(cache).mtimeMs).toBeGreaterThan(longAgo.getTime());
}, 60_000);

test('an entry with top-level await, which CommonJS lacks, runs as an ES module bundle', async () => {
  const dir = project("const value = await Promise.resolve('awaited');\nconsole.log(value);\n");
  expect((await run(dir)).stdout).toBe('awaited\n');
  expect(existsSync(join(cacheDir(dir), 'main.esm.mjs'))).toBe(true);
  expect((await run(dir)).stdout).toBe('awaited\n');
}, 60_000);

test('a syntax error fails with esbuild’s message naming the file and line', async () => {
  const dir = project("console.log('ok');\nconst = 1;\n");
  await expect(run(dir)).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringMatching(/main\.ts:2:6: ERROR: Expected identifier but found "="/),
  });
}, 60_000);
