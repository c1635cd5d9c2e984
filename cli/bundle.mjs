// Bundles a TypeScript entry point into one module, atomically, so that two commands started at once
// never run a half-written bundle. Used by the bin of a source checkout (see cdk8s-devops.mjs), by
// `npm pack` (`node cli/bundle.mjs build/cli.mjs`), so that the package ships its CLI ready to run, and
// by the app command of cdk8s.yaml (run-bundled.mjs, in this project and in a repository made by
// `init`), so that `cdk8s synth` starts as fast.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Whether `bundle` is missing, or older than a source it was made from (or than package-lock.json). */
export function isStale(root, bundle) {
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

/**
 * Bundles `entry` into `bundle`: an ES module, or with `format: 'cjs'` a CommonJS script, which
 * run-bundled.mjs compiles with V8's code cache (Node 20 has none for ES modules). The code cache
 * (`<bundle>.cache`) goes with the bundle it was made from. `quiet` prints no errors, only throws them.
 */
export async function bundleEntry(root, entry, bundle, { format = 'esm', quiet = false } = {}) {
  await mkdir(dirname(bundle), { recursive: true });
  const scratch = `${bundle}.${process.pid}`;
  // Loaded here, not above: a command that finds its bundle fresh never pays for esbuild.
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, entry)],
    outfile: scratch,
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    metafile: true,
    logLevel: quiet ? 'silent' : 'error',
    ...(format === 'esm'
      ? {
          // Bundled CommonJS dependencies call require, which an ES module lacks.
          banner: {
            js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
          },
        }
      : // The script's own URL, as the ES module bundle's import.meta.url would be.
        { define: { 'import.meta.url': '__bundleUrl' }, banner: { js: BUNDLE_URL } }),
  });
  // The project's own sources; dependencies change only with package-lock.json, which is checked instead.
  const sources = Object.keys(result.metafile.inputs).filter((file) => !file.startsWith('node_modules/'));
  await writeFile(`${scratch}.meta.json`, JSON.stringify({ sources: [...sources, 'package-lock.json'] }));
  await rm(`${bundle}.cache`, { force: true });
  await rename(`${scratch}.meta.json`, `${bundle}.meta.json`);
  await rename(scratch, bundle);
}

const BUNDLE_URL = "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;";

export function bundleCli(root, bundle) {
  return bundleEntry(root, join('cli', 'main.ts'), bundle);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  await bundleCli(root, resolve(process.argv[2]));
}
