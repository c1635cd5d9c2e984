/**
 * Plan: from manifests to the change set a user sees. Loading the manifests, reading the live objects,
 * asking the server what an apply would do (server-side dry run) and what it would own, the ApplySet's
 * membership and the prune set with its guards (foreign owners, Namespaces that hold more), and the order
 * objects go in. Nothing here changes the cluster.
 */
export type { ApplySetScope } from './applyset.js';
export type { Change, ChangeSet, ChangeSetOptions, KeptMember, Operation } from './change-set.js';
export { desiredObjects, hasChanges, OPERATIONS, prunedObjects } from './change-set.js';
export { loadManifests } from './manifests.js';
