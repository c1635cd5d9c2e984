/**
 * Where a workload's pods may run and how they spread across nodes: the scheduling props, checked, and
 * the pod spec fields they make (which cdk8s-plus-27 has no setting for, lib/core/plus.ts).
 */
import type { IConstruct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { checkDnsSubdomain, checkRange } from '../core/names.js';
import * as plus from '../core/plus.js';

/** Where the pods may run and how they spread. */
export interface PodSchedulingProps {
  /**
   * Spread the pods evenly across zones (`topology.kubernetes.io/zone`), as far as the scheduler can.
   * `false` switches the spread off; `topologySpread` replaces it.
   *
   * @default true
   */
  readonly spreadAcrossZones?: boolean;
  /**
   * The pods' own topology spread constraints, in place of the zone spread.
   *
   * @default - the zone spread (see spreadAcrossZones)
   */
  readonly topologySpread?: readonly TopologySpread[];
  /**
   * The PriorityClass of the pods, which decides who is preempted when the cluster is full.
   *
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;
  /**
   * Node labels a node must have to run the pods.
   *
   * @default - any node
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /**
   * Taints of nodes the pods may run on anyway.
   *
   * @default - none
   */
  readonly tolerations?: readonly Toleration[];
  /**
   * Node affinity and pod (anti-)affinity, as the pod spec writes them.
   *
   * @default - none
   */
  readonly affinity?: plus.k8s.Affinity;
}

/** A node taint the pods tolerate. */
export interface Toleration {
  /**
   * The taint's key.
   *
   * @default - every key (operator Exists only)
   */
  readonly key?: string;
  /**
   * `Equal` tolerates the taint of this value; `Exists` any value.
   *
   * @default 'Equal'
   */
  readonly operator?: 'Equal' | 'Exists';
  /**
   * The taint's value (with operator Equal).
   *
   * @default - the empty value
   */
  readonly value?: string;
  /**
   * The taint's effect.
   *
   * @default - every effect
   */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /**
   * How long a pod stays on a node after the taint appears (effect NoExecute only).
   *
   * @default - forever
   */
  readonly tolerationSeconds?: number;
}

/** How evenly the pods spread across the domains of a node label. */
export interface TopologySpread {
  /** The node label whose values are the domains, for example `kubernetes.io/hostname`. */
  readonly topologyKey: string;
  /**
   * How many more pods one domain may have than another.
   *
   * @default 1
   */
  readonly maxSkew?: number;
  /**
   * Whether a pod that would break the skew waits (`DoNotSchedule`) or runs anyway.
   *
   * @default 'ScheduleAnyway'
   */
  readonly whenUnsatisfiable?: 'DoNotSchedule' | 'ScheduleAnyway';
  /**
   * Which pods count.
   *
   * @default - this workload's pods
   */
  readonly matchLabels?: Readonly<Record<string, string>>;
}

/**
 * The scheduling fields of the pod spec, checked (with the pod's supplementalGroups, checked here too);
 * the topology spread selects `matchLabels` unless told otherwise.
 */
export function podScheduling(
  scope: IConstruct,
  props: PodSchedulingProps & { readonly supplementalGroups?: readonly number[] },
  matchLabels: Readonly<Record<string, string>>,
): plus.Fields {
  if (props.topologySpread && props.spreadAcrossZones === false) {
    invalid(
      scope,
      'spreadAcrossZones is false but topologySpread is set',
      'Leave spreadAcrossZones out: topologySpread replaces the zone spread',
    );
  }
  const spread =
    props.topologySpread ??
    (props.spreadAcrossZones === false ? [] : [{ topologyKey: 'topology.kubernetes.io/zone' }]);
  for (const group of props.supplementalGroups ?? []) {
    checkRange(scope, 'supplementalGroups', group, 0, 2147483647, 'Use group IDs from 0 to 2147483647');
  }
  for (const t of props.tolerations ?? []) {
    if (t.operator === 'Exists' && t.value !== undefined) {
      invalid(
        scope,
        `toleration of ${show(t.key ?? '')} has operator Exists and value ${show(t.value)}`,
        'Leave the value out with Exists, or use operator Equal',
      );
    }
    if (t.key === undefined && t.operator !== 'Exists') {
      invalid(
        scope,
        'a toleration without a key must have operator Exists',
        'Set operator: "Exists", or name the key',
      );
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      invalid(
        scope,
        `toleration of ${show(t.key ?? '')} sets tolerationSeconds with effect ${show(t.effect)}`,
        'tolerationSeconds applies to effect "NoExecute" only: set that effect, or leave tolerationSeconds out',
      );
    }
  }
  return {
    topologySpreadConstraints: spread.length
      ? spread.map((c) => ({
          maxSkew: checkRange(
            scope,
            'topologySpread maxSkew',
            c.maxSkew ?? 1,
            1,
            Number.MAX_SAFE_INTEGER,
            'Allow a skew of 1 or more',
          ),
          topologyKey: c.topologyKey,
          whenUnsatisfiable: c.whenUnsatisfiable ?? 'ScheduleAnyway',
          labelSelector: { matchLabels: c.matchLabels ?? matchLabels },
        }))
      : undefined,
    priorityClassName:
      props.priorityClassName === undefined
        ? undefined
        : checkDnsSubdomain(scope, 'priorityClassName', props.priorityClassName),
    nodeSelector: props.nodeSelector ? { ...props.nodeSelector } : undefined,
    tolerations: props.tolerations?.map((t) => ({ ...t })),
    affinity: props.affinity ? plus.k8s.toJson_Affinity(props.affinity) : undefined,
  };
}
