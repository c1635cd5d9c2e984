import type { Construct } from 'constructs';
import type * as plus from '../core/plus.js';
import type { DeliverableWorkload, Delivery } from '../delivery/deployment-strategy.js';
import type { ExposureProps } from './exposure.js';
import { expose } from './exposure.js';
import type { ReplicationProps, Scaling } from './replication.js';
import { ReplicatedPods } from './replication.js';
import type { WorkloadProps } from './workload.js';
import { Workload } from './workload.js';

/** The port of a WebService given neither `port` nor `ports`. */
const DEFAULT_PORT = 8080;
/** The pods of a WebService given no `replicas` and no autoscaling: two, so one can be drained. */
const DEFAULT_REPLICAS = 2;

export interface WebServiceProps extends WorkloadProps, ReplicationProps, ExposureProps {
  /**
   * The port the container listens on.
   *
   * @default 8080, unless `ports` is set
   */
  readonly port?: number;
  /**
   * How many pods run. Ignored when autoscaling is set.
   *
   * @default 2
   */
  readonly replicas?: number;
}

/**
 * A load-balanced HTTP service: a Deployment of two or more pods behind a Service, with an optional
 * Ingress, autoscaling and a disruption budget, under the secure defaults of every workload. Built from
 * the same parts as a Worker (`replication.ts`) plus the Service part (`exposure.ts`).
 */
export class WebService extends Workload implements DeliverableWorkload {
  public readonly deployment: plus.Deployment;
  /** The desired number of pods; undefined when the autoscaler owns it. */
  public readonly replicas?: number;
  public readonly scaling: Scaling;
  public readonly service: plus.Service;
  /** The port the Service exposes the main port on. */
  public readonly servicePort: number;
  /** The Services beside the one named like the workload. */
  public readonly additionalServices: readonly plus.Service[];
  public readonly ingress?: plus.Ingress;
  /** The strategy's answer: the Deployment's update strategy or the Rollout, and what it added. */
  public readonly delivery?: Delivery;

  public constructor(scope: Construct, id: string, props: WebServiceProps) {
    const pods = new ReplicatedPods(props, DEFAULT_REPLICAS);
    super(scope, id, { ...props, port: props.ports ? props.port : (props.port ?? DEFAULT_PORT) }, pods);
    this.deployment = pods.deployment;
    this.replicas = pods.replicas;
    this.scaling = pods.scale(this);
    ({
      service: this.service,
      servicePort: this.servicePort,
      additionalServices: this.additionalServices,
      ingress: this.ingress,
    } = expose(this, this.deployment, props));
    // Last: the strategy may route the Service and Ingress.
    this.delivery = pods.deliver(this);
  }
}
