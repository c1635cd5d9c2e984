import { execFile } from 'node:child_process';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../util/project.js';

const run = promisify(execFile);
const bin = join(PROJECT_ROOT, 'cli', 'cdk8s-devops.mjs');
const bundle = join(PROJECT_ROOT, 'node_modules', '.cache', 'cdk8s-devops', 'cli.mjs');

test('the bin runs the CLI from a bundle of its sources, and bundles again when a source is newer', async () => {
  const { stdout } = await run(process.execPath, [bin, '--help']);
  expect(stdout).toContain('Usage: cdk8s-devops');
  const { sources } = JSON.parse(readFileSync(`${bundle}.meta.json`, 'utf8')) as { sources: string[] };
  expect(sources).toEqual(expect.arrayContaining(['cli/main.ts', 'client/release.ts', 'package-lock.json']));
  expect(sources.some((s) => s.startsWith('node_modules/'))).toBe(false);

  const longAgo = new Date('2020-01-01T00:00:00Z');
  utimesSync(bundle, longAgo, longAgo);
  await run(process.execPath, [bin, '--help']);
  expect(statSync(bundle).mtimeMs).toBeGreaterThan(longAgo.getTime());

  const fresh = statSync(bundle).mtimeMs;
  await run(process.execPath, [bin, '--help']);
  expect(statSync(bundle).mtimeMs).toBe(fresh);
}, 60_000);
