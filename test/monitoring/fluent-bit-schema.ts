/**
 * Fluent Bit's YAML configuration schema as its documentation states it (docs.fluentbit.io, manual 4.0:
 * "YAML configuration" sections, the service section's keys, the parsers' formats, and each plugin's
 * configuration parameters), for the plugins the library writes. A checker of our own output, not a
 * copy of it: every key must be documented for its section or plugin, and each plugin's required keys
 * present.
 */

interface PluginSchema {
  /** Keys without a usable default, which a config must set. Alternatives are joined with `|`. */
  readonly required: readonly string[];
  readonly keys: readonly string[];
}

/** Keys every input or output takes (the "common" parameters on each plugin page). */
const COMMON_INPUT = ['name', 'tag', 'log_level', 'mem_buf_limit', 'storage.type', 'threaded', 'alias'];
const COMMON_OUTPUT = ['name', 'match', 'match_regex', 'log_level', 'retry_limit', 'workers', 'alias'];
const NETWORK = ['host', 'port', 'tls', 'tls.verify', 'tls.ca_file', 'tls.crt_file', 'tls.key_file'];

export const FLUENT_BIT_SCHEMA = {
  sections: [
    'env',
    'includes',
    'service',
    'pipeline',
    'parsers',
    'multiline_parsers',
    'plugins',
    'upstream_servers',
    'customs',
  ],
  pipeline: ['inputs', 'filters', 'outputs'],
  service: [
    'flush',
    'grace',
    'daemon',
    'dns.mode',
    'log_file',
    'log_level',
    'http_server',
    'http_listen',
    'http_port',
    'health_check',
    'hc_errors_count',
    'hc_retry_failure_count',
    'hc_period',
    'parsers_file',
    'plugins_file',
    'streams_file',
    'storage.path',
    'storage.sync',
    'storage.checksum',
    'storage.max_chunks_up',
    'storage.backlog.mem_limit',
    'storage.metrics',
    'coro_stack_size',
  ],
  parser: {
    formats: ['json', 'regex', 'logfmt', 'ltsv'],
    keys: [
      'name',
      'format',
      'regex',
      'time_key',
      'time_format',
      'time_keep',
      'time_offset',
      'types',
      'decode_field',
      'skip_empty_values',
    ],
    /** Keys a format needs. */
    requiredByFormat: { regex: ['regex'] } as Record<string, string[]>,
  },
  inputs: {
    tail: {
      required: ['path'],
      keys: [
        ...COMMON_INPUT,
        'path',
        'exclude_path',
        'parser',
        'db',
        'db.sync',
        'db.locking',
        'refresh_interval',
        'rotate_wait',
        'skip_long_lines',
        'skip_empty_lines',
        'read_from_head',
        'buffer_chunk_size',
        'buffer_max_size',
        'path_key',
        'multiline.parser',
      ],
    },
    forward: {
      required: [],
      keys: [
        ...COMMON_INPUT,
        'listen',
        'port',
        'unix_path',
        'buffer_chunk_size',
        'buffer_max_size',
        'tag_prefix',
      ],
    },
  } as Record<string, PluginSchema>,
  outputs: {
    cloudwatch_logs: {
      required: [
        'region',
        'log_group_name|log_group_template',
        'log_stream_name|log_stream_prefix|log_stream_template',
      ],
      keys: [
        ...COMMON_OUTPUT,
        'region',
        'log_group_name',
        'log_group_template',
        'log_stream_prefix',
        'log_stream_name',
        'log_stream_template',
        'log_key',
        'log_format',
        'role_arn',
        'auto_create_group',
        'log_retention_days',
        'endpoint',
        'sts_endpoint',
        'metric_namespace',
        'metric_dimensions',
      ],
    },
    loki: {
      required: ['host'],
      keys: [
        ...COMMON_OUTPUT,
        ...NETWORK,
        'uri',
        'tenant_id',
        'labels',
        'label_keys',
        'remove_keys',
        'line_format',
        'http_user',
        'http_passwd',
        'drop_single_key',
        'auto_kubernetes_labels',
      ],
    },
    es: {
      required: ['host', 'index'],
      keys: [
        ...COMMON_OUTPUT,
        ...NETWORK,
        'index',
        'type',
        'http_user',
        'http_passwd',
        'logstash_format',
        'logstash_prefix',
        'suppress_type_name',
        'replace_dots',
        'trace_error',
        'buffer_size',
        'generate_id',
      ],
    },
    stdout: { required: [], keys: [...COMMON_OUTPUT, 'format', 'json_date_key', 'json_date_format'] },
  } as Record<string, PluginSchema>,
};

/** Every way `config` departs from the schema, one line each; empty when it conforms. */
export function checkFluentBitConfig(config: any): string[] {
  const problems: string[] = [];
  const keysOf = (where: string, object: any, allowed: readonly string[]) => {
    for (const key of Object.keys(object ?? {})) {
      if (!allowed.includes(key)) {
        problems.push(`${where}: unknown key "${key}"`);
      }
    }
  };
  keysOf('top level', config, FLUENT_BIT_SCHEMA.sections);
  keysOf('service', config.service, FLUENT_BIT_SCHEMA.service);
  keysOf('pipeline', config.pipeline, FLUENT_BIT_SCHEMA.pipeline);
  const parsers = new Set<string>();
  for (const [i, parser] of (config.parsers ?? []).entries()) {
    const where = `parsers[${i}]`;
    keysOf(where, parser, FLUENT_BIT_SCHEMA.parser.keys);
    if (!parser.name) problems.push(`${where}: no name`);
    if (!FLUENT_BIT_SCHEMA.parser.formats.includes(parser.format)) {
      problems.push(`${where}: unknown format "${parser.format}"`);
    }
    for (const key of FLUENT_BIT_SCHEMA.parser.requiredByFormat[parser.format] ?? []) {
      if (parser[key] === undefined) problems.push(`${where}: format ${parser.format} needs "${key}"`);
    }
    parsers.add(parser.name);
  }
  const plugins = (kind: 'inputs' | 'outputs') => {
    const list = config.pipeline?.[kind] ?? [];
    if (kind === 'outputs' && list.length === 0) problems.push('pipeline: no outputs');
    for (const [i, plugin] of list.entries()) {
      const where = `pipeline.${kind}[${i}] (${plugin.name})`;
      const schema = FLUENT_BIT_SCHEMA[kind][plugin.name];
      if (!schema) {
        problems.push(`${where}: unknown ${kind === 'inputs' ? 'input' : 'output'} plugin`);
        continue;
      }
      keysOf(where, plugin, schema.keys);
      for (const required of schema.required) {
        if (!required.split('|').some((key) => plugin[key] !== undefined && plugin[key] !== '')) {
          problems.push(`${where}: needs "${required}"`);
        }
      }
      if (plugin.parser !== undefined && !parsers.has(plugin.parser)) {
        problems.push(`${where}: parser "${plugin.parser}" is not defined`);
      }
      if (kind === 'outputs' && plugin.match === undefined && plugin.match_regex === undefined) {
        problems.push(`${where}: matches nothing (no "match")`);
      }
    }
  };
  plugins('inputs');
  plugins('outputs');
  return problems;
}
