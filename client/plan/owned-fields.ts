/**
 * The part of a live object that one field manager owns: its managedFields entry (`fieldsV1`) names the
 * fields, and the live object holds their values. Server-side apply stores exactly the applied fields under
 * the applier's name, so when this part equals the manifest, applying the manifest again would change
 * nothing: no field would be set to another value, none removed, none change owners. Anything that changed
 * the applied fields since (a JSON patch that removed one, an apply under our name with other values)
 * leaves a different part.
 *
 * fieldsV1 keys: `f:<name>` a field of a map, `k:<json>` the item of an associative list with these keys,
 * `v:<json>` the item of a set, `i:<n>` the item at an index, `.` the node itself; a leaf (`{}`) owns the
 * whole value (an atomic list or map, or a scalar).
 */
import { isDeepStrictEqual } from 'node:util';
import type { ManagedFieldsEntry } from './apply-context.js';
import { MANIFEST_DIGEST, ownApplyEntry } from './apply-context.js';
import { withoutControllerFields } from './controller-fields.js';
import type { Manifest } from '../transport/resources.js';

type Fields = Readonly<Record<string, unknown>>;

/**
 * Whether applying `desired` would store nothing, proven from `live` alone: it carries the digest of this
 * very manifest (a fast refusal otherwise), no field manager but ours changed it since our apply (every
 * other entry is older, or writes status only; ties count as changes: the times are whole seconds), and
 * the fields our apply owns hold exactly the manifest's values, no more and no fewer.
 */
export function appliedUnchanged(live: Manifest, desired: Manifest, fieldManager: string): boolean {
  const digest = desired.metadata.annotations?.[MANIFEST_DIGEST];
  if (digest === undefined || live.metadata.annotations?.[MANIFEST_DIGEST] !== digest) {
    return false;
  }
  const entries = (live.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  const ours = ownApplyEntry(live, fieldManager);
  if (ours?.time === undefined || ours.apiVersion !== desired.apiVersion || !ours.fieldsV1) {
    return false;
  }
  const untouched = entries.every(
    (e) => e === ours || e.subresource === 'status' || (e.time !== undefined && e.time < ours.time!),
  );
  const applied = appliedFields(desired, live);
  return untouched && isDeepStrictEqual(ownedPart(live, ours.fieldsV1 as Fields, applied), applied);
}

/** The fields an apply of `desired` sends and then owns: not the object's identity, nor what a controller keeps. */
function appliedFields(desired: Manifest, live: Manifest): unknown {
  const { apiVersion: _apiVersion, kind: _kind, metadata, ...rest } = withoutControllerFields(desired, live);
  const { name: _name, namespace: _namespace, ...owned } = metadata;
  return { ...rest, metadata: owned };
}

/**
 * `value` cut down to the fields of `fields`. An owned field the live object lacks is one the server
 * stores as absent (`omitempty`: a zero, false, '' or an empty list or map); where `applied` has such an
 * empty value there, the part has it too, since applying it again would store it absent again.
 */
export function ownedPart(value: unknown, fields: Fields, applied?: unknown): unknown {
  const children = Object.keys(fields).filter((key) => key !== '.');
  if (children.length === 0 || value === null || typeof value !== 'object') {
    return value;
  }
  if (Array.isArray(value)) {
    const appliedItems: unknown[] = Array.isArray(applied) ? applied : [];
    return value.flatMap((item, index) => {
      const key = children.find((k) => itemMatches(k, item, index));
      const appliedItem = appliedItems.find((a, i) => key !== undefined && itemMatches(key, a, i));
      return key === undefined ? [] : [ownedPart(item, fields[key] as Fields, appliedItem)];
    });
  }
  const [object, appliedObject] = [value as Record<string, unknown>, asObject(applied)];
  const part: Record<string, unknown> = {};
  for (const key of children.filter((k) => k.startsWith('f:'))) {
    const name = key.slice(2);
    if (name in object) {
      part[name] = ownedPart(object[name], fields[key] as Fields, appliedObject[name]);
    } else if (name in appliedObject && isEmpty(appliedObject[name])) {
      part[name] = appliedObject[name];
    }
  }
  return part;
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function isEmpty(value: unknown): boolean {
  if (value !== null && typeof value === 'object') {
    return Object.keys(value).length === 0;
  }
  return value === 0 || value === false || value === '' || value === null;
}

/** Whether the list item `item` at `index` is the one the fieldsV1 key `key` names. */
function itemMatches(key: string, item: unknown, index: number): boolean {
  const [prefix, rest] = [key.slice(0, 2), key.slice(2)];
  if (prefix === 'i:') {
    return Number(rest) === index;
  }
  if (prefix === 'v:') {
    return isDeepStrictEqual(JSON.parse(rest), item);
  }
  if (prefix === 'k:' && item !== null && typeof item === 'object') {
    const keys = JSON.parse(rest) as Record<string, unknown>;
    return Object.entries(keys).every(([k, v]) => isDeepStrictEqual((item as Record<string, unknown>)[k], v));
  }
  return false;
}
