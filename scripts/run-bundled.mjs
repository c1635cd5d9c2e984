// The default app's command (cdk8s.yaml): runs a TypeScript entry point from one ES module that esbuild
// bundles into node_modules/.cache/cdk8s-devops/, again whenever a source it was made from is newer.
// Loading the sources through tsx transpiles thousands of module files at every `cdk8s synth`.
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleEntry, isStale } from '../cli/bundle.mjs';

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node scripts/run-bundled.mjs <entry.ts>');
  process.exit(2);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'node_modules', '.cache', 'cdk8s-devops', `${basename(entry, '.ts')}.mjs`);
if (isStale(root, bundle)) {
  await bundleEntry(root, entry, bundle);
}
await import(pathToFileURL(bundle).href);
