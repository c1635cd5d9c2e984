import type { IConstruct } from 'constructs';
import type { SecretKey } from '../apps/existing-secret.js';
import { invalid, show } from '../core/errors.js';
import { toYaml } from '../core/yaml.js';

/**
 * Fluent Bit's configuration in its YAML format (sections `service`, `parsers`, `pipeline` with
 * `inputs` and `outputs`), generated from typed inputs, parsers and outputs. Property names are the
 * plugins' documented keys.
 */

type Properties = Record<string, string | number | boolean>;

/** The directory the app writes log files into; shared with the sidecar through an emptyDir. */
export const APP_LOG_DIR = '/var/log/app';
/** Where the sidecar keeps its tail offsets, so a restarted sidecar neither loses nor repeats lines. */
export const STATE_DIR = '/fluent-bit/state';
/** Where the ConfigMap is mounted. */
export const CONFIG_DIR = '/fluent-bit/etc';
export const CONFIG_FILE = 'fluent-bit.yaml';
/** The port of Fluent Bit's HTTP server (health and its own metrics). */
export const FLUENT_BIT_HTTP_PORT = 2020;

/** How a log line is split into fields. */
export class LogParser {
  /** Lines that are JSON objects. */
  public static json(
    name = 'json',
    options: { readonly timeKey?: string; readonly timeFormat?: string } = {},
  ) {
    return new LogParser(name, {
      format: 'json',
      time_key: options.timeKey,
      time_format: options.timeFormat,
    });
  }

  /** Lines matched by a regular expression with named groups (Onigmo syntax). */
  public static regex(
    name: string,
    regex: string,
    options: { readonly timeKey?: string; readonly timeFormat?: string } = {},
  ) {
    return new LogParser(name, {
      format: 'regex',
      regex,
      time_key: options.timeKey,
      time_format: options.timeFormat,
    });
  }

  /** Lines of `key=value` pairs. */
  public static logfmt(name = 'logfmt') {
    return new LogParser(name, { format: 'logfmt' });
  }

  private constructor(
    public readonly name: string,
    private readonly properties: Record<string, string | undefined>,
  ) {}

  /** @internal */
  public _toConfig(): Properties {
    return withoutUndefined({ name: this.name, ...this.properties });
  }
}

export interface FileInputOptions {
  /**
   * The files to follow, a glob inside the app's log directory.
   *
   * @default '/var/log/app/*.log'
   */
  readonly path?: string;
  /**
   * The parser for each line.
   *
   * @default - lines are kept as `log`
   */
  readonly parser?: LogParser;
}

/** Where the sidecar reads logs from. */
export class LogInput {
  /**
   * Files the app writes into `/var/log/app` (an emptyDir the app and the sidecar share). This is how a
   * sidecar reads an app's logs: its stdout is only readable from the node (a hostPath), which Pod
   * Security "restricted" refuses.
   */
  public static file(options: FileInputOptions = {}): LogInput {
    const path = options.path ?? `${APP_LOG_DIR}/*.log`;
    return new LogInput(
      'tail',
      {
        path,
        parser: options.parser?.name,
        db: `${STATE_DIR}/tail.db`,
        tag: 'app',
        mem_buf_limit: '5MB',
        skip_long_lines: 'on',
        refresh_interval: 10,
      },
      options.parser,
      path,
    );
  }

  /** Records that the app sends to localhost with a Fluentd forward logger (Fluent Bit's `forward` input). */
  public static forward(port = 24224): LogInput {
    return new LogInput('forward', { listen: '127.0.0.1', port, tag: 'app' });
  }

  private constructor(
    public readonly plugin: string,
    private readonly properties: Record<string, string | number | undefined>,
    /** @internal */
    public readonly _parser?: LogParser,
    /** @internal the file glob of a tail input, which must lie under the shared log directory */
    public readonly _path?: string,
  ) {}

  /** @internal */
  public _toConfig(): Properties {
    return withoutUndefined({ name: this.plugin, ...this.properties });
  }
}

/** The retention periods CloudWatch Logs accepts, in days. */
export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export interface CloudWatchLogsOptions {
  readonly region: string;
  readonly logGroupName: string;
  /**
   * Each pod writes its own stream, named this prefix and the tag.
   *
   * @default - the workload's name and '-'
   */
  readonly logStreamPrefix?: string;
  /**
   * How many days CloudWatch keeps the events (set on the group when the plugin creates it).
   *
   * @default 30
   */
  readonly retentionDays?: number;
}

export interface LokiOptions {
  readonly host: string;
  /** @default 3100 */
  readonly port?: number;
  /** @default false */
  readonly tls?: boolean;
  /**
   * Stream labels, beside `namespace` and `app`.
   *
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A key of an existing Secret, read into the sidecar's environment and referenced as `${VAR}`. */
export type { SecretKey };

export interface ElasticsearchOptions {
  readonly host: string;
  /** @default 9200 */
  readonly port?: number;
  /** The index the records go to. */
  readonly index: string;
  /** @default true */
  readonly tls?: boolean;
  /**
   * Basic authentication: the user, and the password from a Secret (never written into the ConfigMap).
   *
   * @default - none
   */
  readonly auth?: { readonly user: string; readonly password: SecretKey };
}

/** An environment variable of the sidecar, taken from a Secret. */
export interface SecretEnv {
  readonly name: string;
  readonly secret: SecretKey;
}

/** Where the sidecar sends logs. */
export class LogOutput {
  /** CloudWatch Logs, with the group's retention (the pod needs AWS credentials: IRSA or Pod Identity). */
  public static cloudWatchLogs(options: CloudWatchLogsOptions): LogOutput {
    return new LogOutput(
      'cloudwatch_logs',
      443,
      (workload) => ({
        region: options.region,
        log_group_name: options.logGroupName,
        log_stream_prefix: options.logStreamPrefix ?? `${workload}-`,
        auto_create_group: 'on',
        log_retention_days: options.retentionDays ?? 30,
      }),
      [],
      options.retentionDays ?? 30,
    );
  }

  /** Grafana Loki; Loki's retention is the server's, not a stream's. */
  public static loki(options: LokiOptions): LogOutput {
    const port = options.port ?? 3100;
    return new LogOutput('loki', port, (workload, namespace) => ({
      host: options.host,
      port,
      tls: options.tls ? 'on' : 'off',
      labels: Object.entries({ namespace, app: workload, ...options.labels })
        .map(([k, v]) => `${k}=${v}`)
        .join(', '),
    }));
  }

  /** Elasticsearch or OpenSearch; retention is an index lifecycle policy on the server. */
  public static elasticsearch(options: ElasticsearchOptions): LogOutput {
    const port = options.port ?? 9200;
    const env: SecretEnv[] = options.auth ? [{ name: 'ES_PASSWORD', secret: options.auth.password }] : [];
    return new LogOutput(
      'es',
      port,
      () => ({
        host: options.host,
        port,
        index: options.index,
        tls: (options.tls ?? true) ? 'on' : 'off',
        suppress_type_name: 'on',
        ...(options.auth ? { http_user: options.auth.user, http_passwd: '${ES_PASSWORD}' } : {}),
      }),
      env,
    );
  }

  /** The sidecar's own stdout, one JSON object a line: for the node's log agent, or `kubectl logs`. */
  public static stdout(): LogOutput {
    return new LogOutput('stdout', undefined, () => ({ format: 'json_lines' }));
  }

  private constructor(
    public readonly plugin: string,
    /** The TCP port the sidecar connects to, which its egress NetworkPolicy opens. */
    public readonly port: number | undefined,
    private readonly properties: (workload: string, namespace: string) => Properties,
    /** Environment variables from Secrets that the properties reference. */
    public readonly secretEnv: readonly SecretEnv[] = [],
    /** @internal */
    public readonly _retentionDays?: number,
  ) {}

  /** @internal */
  public _toConfig(workload: string, namespace: string): Properties {
    return { name: this.plugin, match: '*', ...this.properties(workload, namespace) };
  }
}

export interface FluentBitConfigOptions {
  readonly inputs: readonly LogInput[];
  readonly outputs: readonly LogOutput[];
  /** The workload whose logs these are: stream names and labels. */
  readonly workload: string;
  readonly namespace: string;
}

/** Checks the options and renders Fluent Bit's YAML configuration. */
export function fluentBitConfig(scope: IConstruct, options: FluentBitConfigOptions): string {
  if (options.inputs.length === 0) {
    invalid(scope, 'log shipping has no inputs', 'Give it LogInput.file() or LogInput.forward()');
  }
  if (options.outputs.length === 0) {
    invalid(
      scope,
      'log shipping has no outputs',
      'Give it at least one LogOutput, such as LogOutput.stdout()',
    );
  }
  for (const input of options.inputs) {
    if (input._path !== undefined && !input._path.startsWith(`${APP_LOG_DIR}/`)) {
      invalid(
        scope,
        `log file input path ${show(input._path)} is outside ${APP_LOG_DIR}, the directory the app and the sidecar share`,
        `Write the app's logs under ${APP_LOG_DIR}/`,
      );
    }
  }
  for (const output of options.outputs) {
    const days = output._retentionDays;
    if (days !== undefined && !(CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(days)) {
      invalid(
        scope,
        `CloudWatch Logs retention of ${show(days)} days is not one CloudWatch accepts`,
        `Use one of ${CLOUDWATCH_RETENTION_DAYS.join(', ')}`,
      );
    }
  }
  const parsers = [
    ...new Map(
      options.inputs.flatMap((i) => (i._parser ? [[i._parser.name, i._parser._toConfig()] as const] : [])),
    ).values(),
  ];
  const config = {
    service: {
      flush: 1,
      log_level: 'info',
      http_server: 'on',
      http_listen: '0.0.0.0',
      http_port: FLUENT_BIT_HTTP_PORT,
      health_check: 'on',
      'storage.path': `${STATE_DIR}/buffer`,
    },
    ...(parsers.length > 0 ? { parsers } : {}),
    pipeline: {
      inputs: options.inputs.map((i) => i._toConfig()),
      outputs: options.outputs.map((o) => o._toConfig(options.workload, options.namespace)),
    },
  };
  return toYaml(config);
}

function withoutUndefined<T>(record: Record<string, T | undefined>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Record<string, T>;
}
