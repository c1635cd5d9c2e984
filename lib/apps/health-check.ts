import type { IConstruct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { checkRange } from '../core/names.js';
import type { Fields } from '../core/plus.js';

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
   * @default - the workload's port (a sidecar's: its first port)
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
  /**
   * Headers of the request, for example a `Host` the app routes on.
   *
   * @default - none
   */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface GrpcCheckOptions extends PortCheckOptions {
  /**
   * The service whose status the gRPC health protocol (`grpc.health.v1.Health/Check`) asks for.
   *
   * @default - the server's overall health (the empty service name)
   */
  readonly service?: string;
}

/** Which of a container's three checks a HealthCheck is. */
export type HealthCheckKind = 'readiness' | 'liveness' | 'startup';

/** The characters of an HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * A readiness, liveness or startup check. It keeps its port readable, so a workload can refuse a check
 * of a port its container does not expose, and writes the probe itself (lib/core/plus.ts): cdk8s-plus
 * has no gRPC check and no HTTP headers.
 */
export class HealthCheck {
  /** An HTTP GET of `path` that succeeds on a 2xx or 3xx answer. */
  public static http(path: string, options: HttpCheckOptions = {}): HealthCheck {
    return new HealthCheck(options, (scope, kind, port) => {
      if (!path.startsWith('/')) {
        invalid(
          scope,
          `${kind} check path ${show(path)} does not start with "/"`,
          `Write ${show(`/${path}`)}`,
        );
      }
      const headers = Object.entries(options.headers ?? {});
      for (const [name] of headers.filter(([n]) => !HEADER_NAME.test(n))) {
        invalid(
          scope,
          `${kind} check header name ${show(name)} is not an HTTP token`,
          'Use letters, digits and !#$%&\'*+-.^_`|~ only, for example "X-Probe"',
        );
      }
      return {
        httpGet: {
          path,
          port,
          scheme: options.scheme ?? 'HTTP',
          httpHeaders: headers.length ? headers.map(([name, value]) => ({ name, value })) : undefined,
        },
      };
    });
  }

  /** A TCP connection to the port. */
  public static tcp(options: PortCheckOptions = {}): HealthCheck {
    return new HealthCheck(options, (_scope, _kind, port) => ({ tcpSocket: { port } }));
  }

  /** A call of the gRPC health protocol on the port (the server must implement `grpc.health.v1`). */
  public static grpc(options: GrpcCheckOptions = {}): HealthCheck {
    return new HealthCheck(options, (_scope, _kind, port) => ({
      grpc: { port, service: options.service },
    }));
  }

  /** A command run in the container, which succeeds when it exits 0. */
  public static exec(command: readonly string[], options: HealthCheckOptions = {}): HealthCheck {
    return new HealthCheck(
      options,
      (scope, kind) => {
        if (command.length === 0) {
          invalid(scope, `${kind} check runs an empty command`, 'Give the command and its arguments');
        }
        return { exec: { command: [...command] } };
      },
      false,
    );
  }

  /**
   * No check at all: a workload with a port is otherwise checked for readiness by a TCP connection to it
   * (a database that upstream leaves unchecked, a port that opens only after a long warm-up).
   */
  public static none(): HealthCheck {
    return new HealthCheck({}, () => undefined, false);
  }

  private constructor(
    private readonly options: PortCheckOptions,
    /** The probe's action (httpGet, tcpSocket, grpc or exec), or undefined for no probe. */
    private readonly action: (
      scope: IConstruct,
      kind: HealthCheckKind,
      port: number | undefined,
    ) => Fields | undefined,
    /** Whether the check reaches a port of the container (an exec check runs inside it). */
    public readonly checksPort = true,
  ) {}

  /** The port checked when the container's port is `defaultPort`; undefined for an exec check. */
  public portFor(defaultPort: number | undefined): number | undefined {
    return this.checksPort ? (this.options.port ?? defaultPort) : undefined;
  }

  /** @internal The probe as the pod spec writes it, checked, for `scope`'s container; undefined for none. */
  public _toProbe(scope: IConstruct, kind: HealthCheckKind, port: number | undefined): Fields | undefined {
    const action = this.action(scope, kind, port);
    if (action === undefined) {
      return undefined;
    }
    const o = this.options;
    const whole = (prop: keyof HealthCheckOptions, min: number, fix: string) =>
      o[prop] === undefined
        ? undefined
        : checkRange(scope, `${kind} check ${prop}`, o[prop], min, Number.MAX_SAFE_INTEGER, fix);
    if (kind !== 'readiness' && o.successThreshold !== undefined && o.successThreshold !== 1) {
      invalid(
        scope,
        `${kind} check successThreshold must be 1, got ${show(o.successThreshold)}`,
        'Leave successThreshold out: Kubernetes allows other values on readiness checks only',
      );
    }
    return {
      ...action,
      initialDelaySeconds: whole('initialDelaySeconds', 0, 'Wait 0 or more seconds'),
      periodSeconds: whole('periodSeconds', 1, 'Check every 1 or more seconds'),
      timeoutSeconds: whole('timeoutSeconds', 1, 'Give the check 1 or more seconds'),
      // cdk8s-plus wrote Kubernetes' default of 3; kept, so that the output does not change.
      failureThreshold: whole('failureThreshold', 1, 'Allow 1 or more failures') ?? 3,
      successThreshold: whole('successThreshold', 1, 'Require 1 or more successes'),
    };
  }
}
