#!/usr/bin/env node
// The bin entry. Loading the TypeScript CLI through tsx costs about a second at every start (thousands
// of module files, transpiled), so it runs from one ES module that esbuild bundles. The package ships
// that bundle (build/cli.mjs, made by `npm pack`) and no CLI sources, so an installed CLI runs it as is;
// a source checkout bundles again whenever a source it was made from is newer than its bundle.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

let bundle = join(root, 'build', 'cli.mjs');
if (existsSync(join(root, 'cli', 'main.ts'))) {
  bundle = join(root, 'node_modules', '.cache', 'cdk8s-devops', 'cli.mjs');
  const { bundleCli, isStale } = await import('./bundle.mjs');
  if (isStale(root, bundle)) {
    await bundleCli(root, bundle);
  }
}
await import(pathToFileURL(bundle).href);
