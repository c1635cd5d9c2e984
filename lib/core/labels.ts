/** The recommended Kubernetes labels the library puts on what it makes. */

/** Names the workload an object or pod belongs to. */
export const NAME_LABEL = 'app.kubernetes.io/name';
/** Names a pod's tier. */
export const TIER_LABEL = 'app.kubernetes.io/component';
/** Names the stack (chart) an object belongs to. */
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
