/** Reading synthesized manifests from files and folders, and naming the objects in them. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { KUBE_YAML_SCHEMA } from './kube-yaml.js';
import type { Manifest } from '../transport/resources.js';
import { objectRef } from '../transport/resources.js';

const MANIFEST_FILE = /\.(ya?ml|json)$/;
/** kustomize's own file (as in `dist/<env>/`): it lists the manifests beside it, and is not one. */
const KUSTOMIZATION_FILE = /^kustomization\.ya?ml$/;

/** Whether a file of a folder is read as manifests: YAML and JSON, but not kustomization.yaml. */
export function isManifestFile(name: string): boolean {
  return MANIFEST_FILE.test(name) && !KUSTOMIZATION_FILE.test(name);
}

/**
 * Every object in the given files, and in the YAML and JSON files of the given folders (sorted by name,
 * not recursing, without a kustomization.yaml), in order. Empty documents are skipped, the items of a
 * List are taken one by one; anything that is not an object is an error. `keep` says what to keep of each.
 */
export async function loadManifests(paths: readonly string[], keep?: Keep): Promise<Manifest[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new Error(`${path} does not exist: run \`npm run synth\` first, or name the manifests to use`);
    }
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter(isManifestFile).sort();
      files.push(...names.map((n) => join(path, n)));
    } else {
      files.push(path);
    }
  }
  const manifests: Manifest[] = [];
  for (const file of files) {
    manifests.push(...parseManifests(await readFile(file, 'utf8'), file, keep));
  }
  return manifests;
}

/** What to keep of each object read: all of it, or (for a wait) only what names it. */
export type Keep = (manifest: Manifest) => Manifest;

/**
 * The objects of a multi-document YAML (or JSON) text; `source` names it in errors. Read as kubectl reads
 * it (YAML 1.1, kube-yaml.ts) by js-yaml, which builds the objects directly: a tenth of the time of a
 * document tree.
 * Read one document at a time, so that what `keep` lets go of is never all in memory at once (a fleet's
 * 12,900 objects take 64 MB whole).
 */
export function parseManifests(text: string, source: string, keep: Keep = (m) => m): Manifest[] {
  const manifests: Manifest[] = [];
  let index = 0;
  for (const { text: chunk, line } of documentsOf(text)) {
    for (const value of loadYaml(chunk, source, line)) {
      manifests.push(
        ...objectsOf(value, `${source}, document ${++index}`).map((o) => withSourceOf(o, keep(o))),
      );
    }
  }
  return manifests;
}

/**
 * The text in pieces of one document each (split where a line starts a document), with the line each
 * starts at; a text with directives (`%YAML`), which belong to the document after them, stays whole.
 */
function documentsOf(text: string): { text: string; line: number }[] {
  if (/^%/m.test(text)) {
    return [{ text, line: 0 }];
  }
  const pieces: { text: string; line: number }[] = [];
  let line = 0;
  for (const piece of text.split(/^(?=---(?:[ \t]|\r?$))/m)) {
    pieces.push({ text: piece, line });
    line += piece.split('\n').length - 1;
  }
  return pieces;
}

function loadYaml(text: string, source: string, firstLine: number): unknown[] {
  try {
    return jsYaml.loadAll(text, undefined, { schema: KUBE_YAML_SCHEMA });
  } catch (error) {
    if (error instanceof jsYaml.YAMLException) {
      throw new Error(
        `${source}, line ${firstLine + error.mark.line + 1}, column ${error.mark.column + 1}: invalid YAML: ${error.reason}`,
      );
    }
    // A value our schema refuses (`.inf`) throws from its type, which js-yaml reports without a line.
    throw new Error(`${source}, line ${firstLine + lineOfFailure(text) + 1}: ${(error as Error).message}`);
  }
}

/** The line of the node js-yaml was reading when it failed, found by reading the text again. */
function lineOfFailure(text: string): number {
  let line = 0;
  try {
    jsYaml.loadAll(text, undefined, {
      schema: KUBE_YAML_SCHEMA,
      listener: (_event, state) => (line = state.line),
    });
  } catch {
    // The same failure, now with the line it was met on.
  }
  return line;
}

/** The object of one document, or the items of a List; nothing for an empty document. */
function objectsOf(value: unknown, where: string): Manifest[] {
  if (value === null || value === undefined) {
    return [];
  }
  const list = value as { kind?: unknown; items?: unknown };
  // `kubectl get -o yaml` writes a List (or a `<Kind>List`): kubectl applies its items, and so does this.
  if (typeof list.kind === 'string' && list.kind.endsWith('List') && Array.isArray(list.items)) {
    return list.items.map((item, i) => checkedObject(item, `${where}, item ${i + 1}`));
  }
  return [checkedObject(value, where)];
}

function checkedObject(value: unknown, where: string): Manifest {
  const object = value as Partial<Manifest> | null;
  if (typeof object !== 'object' || !object?.apiVersion || !object.kind || !object.metadata?.name) {
    throw new Error(`${where}: not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
  }
  return withSource(object as Manifest, where);
}

/** Where each manifest was read from, for errors; kept beside the objects so that they stay plain. */
const sources = new WeakMap<Manifest, string>();

function withSource(manifest: Manifest, source: string): Manifest {
  sources.set(manifest, source);
  return manifest;
}

/** `file, document n` for a manifest read by loadManifests; else its name. */
export function sourceOf(manifest: Manifest): string {
  return sources.get(manifest) ?? objectRef(manifest);
}

/** `derived`, remembered as coming from where `original` came from. */
export function withSourceOf(original: Manifest, derived: Manifest): Manifest {
  const source = sources.get(original);
  return source ? withSource(derived, source) : derived;
}
