#!/usr/bin/env node
// The bin entry. Loading the TypeScript CLI through tsx costs about a second at every start (thousands
// of module files, transpiled), so it runs from one ES module that esbuild bundles. The package ships
// that bundle (build/cli.mjs, made by `npm pack`) and no CLI sources, so an installed CLI runs it as is;
// a source checkout bundles again whenever a source it was made from is newer than its bundle.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function isStale(bundle) {
  if (!existsSync(bundle) || !existsSync(`${bundle}.meta.json`)) {
    return true;
  }
  const built = statSync(bundle).mtimeMs;
  const { sources } = JSON.parse(readFileSync(`${bundle}.meta.json`, 'utf8'));
  return sources.some((file) => {
    const path = join(root, file);
    return !existsSync(path) || statSync(path).mtimeMs > built;
  });
}

let bundle = join(root, 'build', 'cli.mjs');
if (existsSync(join(root, 'cli', 'main.ts'))) {
  bundle = join(root, 'node_modules', '.cache', 'cdk8s-devops', 'cli.mjs');
  if (isStale(bundle)) {
    const { bundleCli } = await import('./bundle.mjs');
    await bundleCli(root, bundle);
  }
}
await import(pathToFileURL(bundle).href);
