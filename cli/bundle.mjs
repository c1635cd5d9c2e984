// Bundles the CLI into one ES module (see cdk8s-devops.mjs), atomically, so that two commands started at
// once never run a half-written bundle.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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
