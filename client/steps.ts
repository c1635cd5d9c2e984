/**
 * The steps a release reports to the observer given in its options (`onStep`), as it passes them: to
 * show progress, or to hold the command at a known point (the tests overlap or kill commands there).
 */
export const STEPS = ['locked', 'diffing', 'applying', 'pruning', 'recording'] as const;

/**
 * - `locked`: the release's lock is held, before any work under it;
 * - `diffing`: one object's change was computed (once per object);
 * - `applying`: one object was applied (once per object sent);
 * - `pruning`: one object was pruned (once per object);
 * - `recording`: the apply is done and its revision is about to be recorded.
 */
export type Step = (typeof STEPS)[number];

/** Told each step as it is passed; the command goes on once a returned promise settles. */
export type StepObserver = (step: Step) => void | Promise<void>;
