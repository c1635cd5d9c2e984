// The app command of cdk8s.yaml, in this project and in a repository made by `init`:
//
//     node <cdk8s-devops>/cli/run-bundled.mjs main.ts [args...]
//
// runs a TypeScript entry point (relative to the working folder, the project's) from one bundle that
// esbuild makes into node_modules/.cache/cdk8s-devops/, again whenever a source it was made from is
// newer. Loading the sources through tsx transpiles thousands of module files at every `cdk8s synth`.
// The bundle is a CommonJS script, so that V8 compiles it from a code cache kept beside it (Node 20 has
// none for ES modules); an entry with top-level await, which CommonJS lacks, runs as an ES module.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script, constants } from 'node:vm';
import { bundleEntry, isStale } from './bundle.mjs';

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node run-bundled.mjs <entry.ts> [args...]');
  process.exit(2);
}
const root = process.cwd();
const base = join(root, 'node_modules', '.cache', 'cdk8s-devops', basename(entry, '.ts'));
const script = `${base}.cjs`;
const module = `${base}.esm.mjs`;

if (!isStale(root, script)) {
  runScript(script);
} else if (!isStale(root, module)) {
  await import(pathToFileURL(module).href);
} else if (await bundled(script)) {
  runScript(script);
} else {
  // Top-level await, or an error, which this build prints as esbuild words it.
  await bundleEntry(root, entry, module);
  await import(pathToFileURL(module).href);
}

async function bundled(file) {
  try {
    await bundleEntry(root, entry, file, { format: 'cjs', quiet: true });
    return true;
  } catch {
    return false;
  }
}

/** Runs the CommonJS bundle, compiled from its code cache when the cache holds this bundle's code. */
function runScript(file) {
  const cache = `${file}.cache`;
  const cachedData = existsSync(cache) ? readFileSync(cache) : undefined;
  const compiled = new Script(Module.wrap(readFileSync(file, 'utf8')), {
    filename: file,
    cachedData,
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cachedData === undefined || compiled.cachedDataRejected) {
    // Made once the app has run, so that it holds every function the run compiled, not the top level alone.
    process.once('exit', () => saveCache(cache, compiled));
  }
  const exports = {};
  const wrapper = compiled.runInThisContext();
  wrapper.call(exports, exports, createRequire(file), { exports }, file, dirname(file));
}

function saveCache(cache, compiled) {
  try {
    const scratch = `${cache}.${process.pid}`;
    writeFileSync(scratch, compiled.createCachedData());
    renameSync(scratch, cache);
  } catch {
    // A read-only node_modules: the next run compiles without the cache, as this one did.
  }
}
