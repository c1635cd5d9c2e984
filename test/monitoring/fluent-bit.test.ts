import { parseYaml } from '../util/yaml.js';
import { fluentBitConfig, LogInput, LogOutput, LogParser } from '../../lib/monitoring/fluent-bit.js';
import { testChart } from '../util/synth.js';
import { checkFluentBitConfig } from './fluent-bit-schema.js';

const every = [
  LogOutput.cloudWatchLogs({ region: 'eu-west-1', logGroupName: '/shop/api', retentionDays: 14 }),
  LogOutput.loki({ host: 'loki.monitoring.svc', labels: { team: 'shop' } }),
  LogOutput.elasticsearch({
    host: 'es.example.com',
    index: 'shop-logs',
    auth: { user: 'shipper', password: { secretName: 'es-credentials', key: 'password' } },
  }),
  LogOutput.stdout(),
];
const render = (inputs: LogInput[], outputs: LogOutput[]) =>
  fluentBitConfig(testChart(), { inputs, outputs, workload: 'api', namespace: 'shop' });

test('the YAML configuration: service, parsers, inputs and one output per target', () => {
  const config = parseYaml(
    render(
      [LogInput.file({ parser: LogParser.json('json', { timeKey: 'time' }) }), LogInput.forward()],
      every,
    ),
  );
  expect(config).toEqual({
    service: {
      flush: 1,
      log_level: 'info',
      http_server: 'on',
      http_listen: '0.0.0.0',
      http_port: 2020,
      health_check: 'on',
      'storage.path': '/fluent-bit/state/buffer',
    },
    parsers: [{ name: 'json', format: 'json', time_key: 'time' }],
    pipeline: {
      inputs: [
        {
          name: 'tail',
          path: '/var/log/app/*.log',
          parser: 'json',
          db: '/fluent-bit/state/tail.db',
          tag: 'app',
          mem_buf_limit: '5MB',
          skip_long_lines: 'on',
          refresh_interval: 10,
        },
        { name: 'forward', listen: '127.0.0.1', port: 24224, tag: 'app' },
      ],
      outputs: [
        {
          name: 'cloudwatch_logs',
          match: '*',
          region: 'eu-west-1',
          log_group_name: '/shop/api',
          log_stream_prefix: 'api-',
          auto_create_group: 'on',
          log_retention_days: 14,
        },
        {
          name: 'loki',
          match: '*',
          host: 'loki.monitoring.svc',
          port: 3100,
          tls: 'off',
          labels: 'namespace=shop, app=api, team=shop',
        },
        {
          name: 'es',
          match: '*',
          host: 'es.example.com',
          port: 9200,
          index: 'shop-logs',
          tls: 'on',
          suppress_type_name: 'on',
          http_user: 'shipper',
          // The password is never in the ConfigMap: Fluent Bit reads it from the environment.
          http_passwd: '${ES_PASSWORD}',
        },
        { name: 'stdout', match: '*', format: 'json_lines' },
      ],
    },
  });
});

test("every generated configuration conforms to Fluent Bit's documented schema", () => {
  const configs = [
    render([LogInput.file()], [LogOutput.stdout()]),
    render([LogInput.file({ parser: LogParser.regex('app', '^(?<level>\\w+) (?<msg>.*)$') })], every),
    render([LogInput.forward(), LogInput.file({ parser: LogParser.logfmt() })], every),
  ];
  for (const config of configs) {
    expect(checkFluentBitConfig(parseYaml(config))).toEqual([]);
  }
});

test('the schema check catches what Fluent Bit would refuse', () => {
  expect(
    checkFluentBitConfig({
      service: { flush: 1, http_srv: 'on' },
      parsers: [{ name: 'p', format: 'regex' }],
      pipeline: {
        inputs: [{ name: 'tail', parser: 'missing' }, { name: 'stdin' }],
        outputs: [
          { name: 'cloudwatch_logs', match: '*', region: 'eu-west-1', log_group_name: 'g' },
          { name: 'loki' },
        ],
      },
    }),
  ).toEqual([
    'service: unknown key "http_srv"',
    'parsers[0]: format regex needs "regex"',
    'pipeline.inputs[0] (tail): needs "path"',
    'pipeline.inputs[0] (tail): parser "missing" is not defined',
    'pipeline.inputs[1] (stdin): unknown input plugin',
    'pipeline.outputs[0] (cloudwatch_logs): needs "log_stream_name|log_stream_prefix|log_stream_template"',
    'pipeline.outputs[1] (loki): needs "host"',
    'pipeline.outputs[1] (loki): matches nothing (no "match")',
  ]);
});

test.each([
  [
    () => render([], [LogOutput.stdout()]),
    'test: log shipping has no inputs. Give it LogInput.file() or LogInput.forward()',
  ],
  [
    () => render([LogInput.file()], []),
    'test: log shipping has no outputs. Give it at least one LogOutput, such as LogOutput.stdout()',
  ],
  [
    () => render([LogInput.file({ path: '/tmp/*.log' })], [LogOutput.stdout()]),
    'test: log file input path "/tmp/*.log" is outside /var/log/app, the directory the app and the sidecar share. Write the app\'s logs under /var/log/app/',
  ],
  [
    () =>
      render(
        [LogInput.file()],
        [LogOutput.cloudWatchLogs({ region: 'eu-west-1', logGroupName: 'g', retentionDays: 10 })],
      ),
    'test: CloudWatch Logs retention of 10 days is not one CloudWatch accepts. Use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
  ],
])('invalid log shipping %#', (make, message) => {
  expect(make).toThrow(message);
});
