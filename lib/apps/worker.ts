import type { Construct } from 'constructs';
import type * as plus from '../core/plus.js';
import type { DeliverableWorkload, Delivery } from '../delivery/deployment-strategy.js';
import type { ReplicationProps, Scaling } from './replication.js';
import { ReplicatedPods } from './replication.js';
import type { WorkloadProps } from './workload.js';
import { Workload } from './workload.js';

export interface WorkerProps extends WorkloadProps, ReplicationProps {}

/** A long-running workload without a Service: a queue consumer, a stream processor. */
export class Worker extends Workload implements DeliverableWorkload {
  public readonly deployment: plus.Deployment;
  /** The desired number of pods; undefined when the autoscaler owns it. */
  public readonly replicas?: number;
  public readonly scaling: Scaling;
  /** The strategy's answer: the Deployment's update strategy or the Rollout, and what it added. */
  public readonly delivery?: Delivery;

  public constructor(scope: Construct, id: string, props: WorkerProps) {
    const pods = new ReplicatedPods(props, 1);
    super(scope, id, props, pods);
    this.deployment = pods.deployment;
    this.replicas = pods.replicas;
    this.scaling = pods.scale(this);
    this.delivery = pods.deliver(this);
  }
}
