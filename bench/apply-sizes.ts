/**
 * Apply at every size: the small app (301 objects, where what `apply` pays once per command shows), the
 * fleet of N = 100 (about 2,600 objects) and the fleet of about 12,000 objects (N = 465), each a first
 * apply and an unchanged re-apply on loopback and through the 25 ms proxy (the fleet of 100 also a re-apply
 * that changes one object in ten). kubectl through the proxy takes about 35 ms an object, so the largest
 * size runs once by default: about 17 minutes, 14 of them kubectl's.
 */
import type { ApplyBenchOptions, Scenario } from './apply.js';
import { applySections, benchApply, fleetObjects, SCENARIOS } from './apply.js';
import type { Section } from './measure.js';
import { SMALL_APP_SIZE, smallAppObjects } from './small-app.js';

/** One size: its section ids start with `apply-<tag>-`. */
export interface ApplySize {
  readonly tag: string;
  readonly app: string;
  readonly objects: ApplyBenchOptions['objects'];
  readonly scenarios: readonly Scenario[];
  readonly runs: number;
}

export const FIRST_AND_UNCHANGED: readonly Scenario[] = ['first apply', 'unchanged re-apply'];

export interface ApplySizesOptions {
  /** Runs of the small app and the middle fleet. */
  readonly runs: number;
  /** The middle fleet's N. */
  readonly services: number;
  /** The largest fleet's N, and its runs. */
  readonly largeServices: number;
  readonly largeRuns: number;
  /** Objects of each kind in the small app. @default SMALL_APP_SIZE */
  readonly smallAppSize?: number;
}

/** The small app, the fleet of `services` and the fleet of `largeServices`, in that order. */
export function applySizes(options: ApplySizesOptions): ApplySize[] {
  return [
    {
      tag: 's',
      app: `the small app (${options.smallAppSize ?? SMALL_APP_SIZE} each of ConfigMap, Service and Deployment)`,
      objects: smallAppObjects(options.smallAppSize),
      scenarios: FIRST_AND_UNCHANGED,
      runs: options.runs,
    },
    {
      tag: 'm',
      app: `the fleet (N = ${options.services})`,
      objects: fleetObjects(options.services),
      scenarios: SCENARIOS,
      runs: options.runs,
    },
    {
      tag: 'l',
      app: `the fleet (N = ${options.largeServices})`,
      objects: fleetObjects(options.largeServices),
      scenarios: FIRST_AND_UNCHANGED,
      runs: options.largeRuns,
    },
  ];
}

/** Every size's sections, smallest first; `show` sees each size's as soon as it is measured. */
export async function benchApplySizes(
  sizes: readonly ApplySize[],
  options: Omit<ApplyBenchOptions, 'objects' | 'app' | 'tag' | 'scenarios' | 'runs'>,
  show: (section: Section) => void = () => {},
): Promise<Section[]> {
  const sections: Section[] = [];
  for (const size of sizes) {
    const results = await benchApply({ ...options, ...size });
    for (const section of applySections(results, size.runs)) {
      sections.push(section);
      show(section);
    }
  }
  return sections;
}
