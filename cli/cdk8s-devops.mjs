#!/usr/bin/env node
// The bin entry. Loading the TypeScript CLI through tsx costs about a second at every start (thousands
// of module files, transpiled), so it runs from one ES module that esbuild bundles, and bundles again
// whenever a source it was made from is newer than the bundle.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'node_modules', '.cache', 'cdk8s-devops', 'cli.mjs');
const metafile = `${bundle}.meta.json`;

function isStale() {
  if (!existsSync(bundle) || !existsSync(metafile)) {
    return true;
  }
  const built = statSync(bundle).mtimeMs;
  const { sources } = JSON.parse(readFileSync(metafile, 'utf8'));
  return sources.some((file) => {
    const path = join(root, file);
    return !existsSync(path) || statSync(path).mtimeMs > built;
  });
}

if (isStale()) {
  const { bundleCli } = await import('./bundle.mjs');
  await bundleCli(root, bundle);
}
await import(bundle);
