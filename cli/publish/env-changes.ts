/** What publishing one environment's folder changes: the objects added, changed and removed. */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { isManifestFile, loadManifests } from '../../client/plan/manifests.js';
import { objectKey, objectRef } from '../../client/transport/resources.js';
import type { Manifest } from '../../client/transport/resources.js';

export interface EnvironmentChanges {
  readonly environment: string;
  /** Objects by `Kind/namespace/name`, sorted. */
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
}

/** The objects of the folder's manifests, or of those of `files` (relative paths) it has. */
async function objectsIn(folder: string, files?: readonly string[]): Promise<Map<string, Manifest>> {
  const paths =
    files === undefined
      ? [folder]
      : files
          .filter((f) => basename(f) === f && isManifestFile(f))
          .sort()
          .map((f) => join(folder, f))
          .filter((f) => existsSync(f));
  const objects = existsSync(folder) && paths.length > 0 ? await loadManifests(paths) : [];
  return new Map(objects.map((o) => [objectKey(o), o]));
}

/**
 * The objects of `next` against those of `previous` (a folder that may not exist yet). With `files`,
 * only those files are read: the others have the same bytes in both folders, so the same objects.
 */
export async function environmentChanges(
  environment: string,
  previous: string,
  next: string,
  files?: readonly string[],
): Promise<EnvironmentChanges> {
  const [before, after] = await Promise.all([objectsIn(previous, files), objectsIn(next, files)]);
  const refs = (objects: Manifest[]) => objects.map(objectRef).sort();
  return {
    environment,
    added: refs([...after].filter(([key]) => !before.has(key)).map(([, o]) => o)),
    changed: refs(
      [...after]
        .filter(([key, o]) => before.has(key) && !isDeepStrictEqual(before.get(key), o))
        .map(([, o]) => o),
    ),
    removed: refs([...before].filter(([key]) => !after.has(key)).map(([, o]) => o)),
  };
}

export function hasEnvironmentChanges(changes: EnvironmentChanges): boolean {
  return changes.added.length + changes.changed.length + changes.removed.length > 0;
}

/** `staging: 1 added, 2 changed, 0 removed` and one line per object, as `diff` prints them. */
export function describeEnvironmentChanges(changes: EnvironmentChanges): string {
  const { environment, added, changed, removed } = changes;
  if (!hasEnvironmentChanges(changes)) {
    return `${environment}: no changes\n`;
  }
  const lines = [
    `${environment}: ${added.length} added, ${changed.length} changed, ${removed.length} removed`,
    ...added.map((ref) => `  + ${ref}`),
    ...changed.map((ref) => `  ~ ${ref}`),
    ...removed.map((ref) => `  - ${ref}`),
  ];
  return `${lines.join('\n')}\n`;
}
