import { Duration } from 'cdk8s';
import * as plus from '../core/plus.js';

export interface HealthCheckOptions {
  /**
   * How long after the container starts the first check runs, in seconds.
   *
   * @default 0
   */
  readonly initialDelaySeconds?: number;
  /**
   * How often to check, in seconds.
   *
   * @default 10
   */
  readonly periodSeconds?: number;
  /**
   * How long one check may take, in seconds.
   *
   * @default 1
   */
  readonly timeoutSeconds?: number;
  /**
   * Consecutive failures before the check counts as failed.
   *
   * @default 3
   */
  readonly failureThreshold?: number;
  /**
   * Consecutive successes after a failure before the check counts as passed again (1 for liveness and
   * startup checks, as Kubernetes requires).
   *
   * @default 1
   */
  readonly successThreshold?: number;
}

export interface PortCheckOptions extends HealthCheckOptions {
  /**
   * The container port to check.
   *
   * @default - the workload's port
   */
  readonly port?: number;
}

export interface HttpCheckOptions extends PortCheckOptions {
  /**
   * HTTP or HTTPS (the certificate is not verified, as the kubelet never does).
   *
   * @default 'HTTP'
   */
  readonly scheme?: 'HTTP' | 'HTTPS';
}

/**
 * A readiness, liveness or startup check. Unlike a cdk8s-plus Probe it keeps its port readable, so a
 * workload can refuse a check of a port its container does not expose.
 */
export class HealthCheck {
  /** An HTTP GET of `path` that succeeds on a 2xx or 3xx answer. */
  public static http(path: string, options: HttpCheckOptions = {}): HealthCheck {
    return new HealthCheck(options, (port) =>
      plus.Probe.fromHttpGet(path, {
        port,
        scheme: options.scheme === 'HTTPS' ? plus.ConnectionScheme.HTTPS : undefined,
        ...HealthCheck.probeOptions(options),
      }),
    );
  }

  /** A TCP connection to the port. */
  public static tcp(options: PortCheckOptions = {}): HealthCheck {
    return new HealthCheck(options, (port) =>
      plus.Probe.fromTcpSocket({ port, ...HealthCheck.probeOptions(options) }),
    );
  }

  /** A command run in the container, which succeeds when it exits 0. */
  public static exec(command: readonly string[], options: HealthCheckOptions = {}): HealthCheck {
    return new HealthCheck(
      options,
      () => plus.Probe.fromCommand([...command], HealthCheck.probeOptions(options)),
      false,
    );
  }

  private static probeOptions(options: HealthCheckOptions): plus.ProbeOptions {
    const seconds = (value: number | undefined) =>
      value === undefined ? undefined : Duration.seconds(value);
    return {
      initialDelaySeconds: seconds(options.initialDelaySeconds),
      periodSeconds: seconds(options.periodSeconds),
      timeoutSeconds: seconds(options.timeoutSeconds),
      failureThreshold: options.failureThreshold,
      successThreshold: options.successThreshold,
    };
  }

  private constructor(
    private readonly options: PortCheckOptions,
    private readonly toProbe: (port: number | undefined) => plus.Probe,
    /** Whether the check reaches a port of the container (an exec check runs inside it). */
    public readonly checksPort = true,
  ) {}

  /** The port checked when the workload's port is `defaultPort`; undefined for an exec check. */
  public portFor(defaultPort: number | undefined): number | undefined {
    return this.checksPort ? (this.options.port ?? defaultPort) : undefined;
  }

  /** @internal */
  public _bind(port: number | undefined): plus.Probe {
    return this.toProbe(port);
  }
}
