/**
 * An environment folder of the working copy made equal to the synthesized one by writing only the files
 * whose bytes differ and removing those that left: unchanged files keep their bytes and their stat, so
 * `git add` hashes only what changed and the commit holds only what changed.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What syncing changes, as paths relative to the folder. */
export interface FolderDifference {
  /** Files new or with other bytes. */
  readonly written: readonly string[];
  /** Files and folders the source no longer has. */
  readonly removed: readonly string[];
}

/** The files of `source` that differ from `target`'s, and what `target` has beyond them (`keep` aside). */
export async function folderDifference(
  source: string,
  target: string,
  keep: readonly string[] = [],
): Promise<FolderDifference> {
  const written: string[] = [];
  const removed: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(source, relative), { withFileTypes: true });
    const present = new Set(entries.map((e) => e.name));
    for (const entry of entries) {
      const path = join(relative, entry.name);
      if (entry.isDirectory()) {
        if ((await stat(join(target, path)).catch(() => undefined))?.isDirectory() === false) {
          removed.push(path);
        }
        await walk(path);
      } else if (!(await sameBytes(join(source, path), join(target, path)))) {
        written.push(path);
      }
    }
    for (const name of await readdir(join(target, relative)).catch(() => [])) {
      const path = join(relative, name);
      if (!present.has(name) && !keep.includes(path)) {
        removed.push(path);
      }
    }
  };
  await walk('');
  return { written, removed };
}

/** Makes `target` hold what `difference` says `source` has. */
export async function applyDifference(
  source: string,
  target: string,
  difference: FolderDifference,
): Promise<void> {
  for (const path of difference.removed) {
    await rm(join(target, path), { recursive: true, force: true });
  }
  for (const path of difference.written) {
    const to = join(target, path);
    // A folder the target had as a file (or the reverse) was removed above.
    await rm(to, { recursive: true, force: true });
    await mkdir(join(to, '..'), { recursive: true });
    await writeFile(to, await readFile(join(source, path)));
  }
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  const [left, right] = await Promise.all([stat(a), stat(b).catch(() => undefined)]);
  if (!right?.isFile() || left.size !== right.size) {
    return false;
  }
  const [x, y] = await Promise.all([readFile(a), readFile(b)]);
  return x.equals(y);
}
