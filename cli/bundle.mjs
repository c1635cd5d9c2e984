// Bundles the CLI into one ES module, atomically, so that two commands started at once never run a
// half-written bundle. Used twice: by the bin of a source checkout (see cdk8s-devops.mjs), and by
// `npm pack` (`node cli/bundle.mjs build/cli.mjs`), so that the package ships its CLI ready to run.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export async function bundleCli(root, bundle) {
  await mkdir(dirname(bundle), { recursive: true });
  const scratch = `${bundle}.${process.pid}`;
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'cli', 'main.ts')],
    outfile: scratch,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    metafile: true,
    logLevel: 'error',
    // Bundled CommonJS dependencies call require, which an ES module lacks.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  // The project's own sources; dependencies change only with package-lock.json, which is checked instead.
  const sources = Object.keys(result.metafile.inputs).filter((file) => !file.startsWith('node_modules/'));
  await writeFile(`${scratch}.meta.json`, JSON.stringify({ sources: [...sources, 'package-lock.json'] }));
  await rename(`${scratch}.meta.json`, `${bundle}.meta.json`);
  await rename(scratch, bundle);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  await bundleCli(root, resolve(process.argv[2]));
}
