import type { Construct } from 'constructs';
import type * as plus from '../core/plus.js';
import type { DeliverableWorkload, Delivery } from '../delivery/deployment-strategy.js';
import type { ReplicationProps, Scaling } from './replication.js';
import { replicatedPods, scale } from './replication.js';
import type { WorkloadProps } from './workload.js';
import { Workload } from './workload.js';

export interface WorkerProps extends WorkloadProps, ReplicationProps {}

/** A long-running workload without a Service: a queue consumer, a stream processor. */
export class Worker extends Workload implements DeliverableWorkload {
  public readonly deployment: plus.Deployment;
  /** The desired number of pods; undefined when the autoscaler owns it. */
  public readonly replicas?: number;
  public readonly scaling: Scaling;
  /** What the strategy added: the Rollout, its AnalysisTemplates and Services. */
  public readonly delivery?: Delivery;

  public constructor(scope: Construct, id: string, props: WorkerProps) {
    const pods = replicatedPods(props, 1);
    super(scope, id, props, pods.factory);
    this.deployment = this.resource as plus.Deployment;
    this.replicas = pods.replicas;
    this.scaling = scale(this, props);
    this.delivery = props.strategy?.bind(this, this);
  }
}
