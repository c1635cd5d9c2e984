import { Duration } from 'cdk8s';
import * as plus from '../core/plus.js';

export interface HealthCheckOptions {
  /**
   * The container port to probe.
   *
   * @default - the workload's port
   */
  readonly port?: number;
  /**
   * Consecutive failures before the check counts as failed.
   *
   * @default 3
   */
  readonly failureThreshold?: number;
  /**
   * How often to probe, in seconds.
   *
   * @default 10
   */
  readonly periodSeconds?: number;
}

/**
 * A readiness, liveness or startup check. Unlike a cdk8s-plus Probe it keeps its port readable, so a
 * workload can refuse a check of a port its container does not expose.
 */
export class HealthCheck {
  /** An HTTP GET of `path` that succeeds on a 2xx or 3xx answer. */
  public static http(path: string, options: HealthCheckOptions = {}): HealthCheck {
    return new HealthCheck(options, (port) =>
      plus.Probe.fromHttpGet(path, { port, ...HealthCheck.probeOptions(options) }),
    );
  }

  /** A TCP connection to the port. */
  public static tcp(options: HealthCheckOptions = {}): HealthCheck {
    return new HealthCheck(options, (port) =>
      plus.Probe.fromTcpSocket({ port, ...HealthCheck.probeOptions(options) }),
    );
  }

  private static probeOptions(options: HealthCheckOptions): plus.ProbeOptions {
    return {
      failureThreshold: options.failureThreshold,
      periodSeconds:
        options.periodSeconds === undefined ? undefined : Duration.seconds(options.periodSeconds),
    };
  }

  private constructor(
    private readonly options: HealthCheckOptions,
    private readonly toProbe: (port: number) => plus.Probe,
  ) {}

  /** The port probed when the workload's port is `defaultPort`. */
  public portFor(defaultPort: number | undefined): number | undefined {
    return this.options.port ?? defaultPort;
  }

  /** @internal */
  public _bind(port: number): plus.Probe {
    return this.toProbe(port);
  }
}
