import { AlertRouting, NotificationTarget } from '../../lib/monitoring/alert-routing.js';
import type { AlertRoutingProps } from '../../lib/monitoring/alert-routing.js';
import { one, synth, testChart } from '../util/synth.js';

const slackUrl = { secretName: 'alerting', key: 'slack-url' };

function routing(props: AlertRoutingProps) {
  const chart = testChart();
  new AlertRouting(chart, 'alerts', props);
  return one(synth(chart), 'AlertmanagerConfig', props.name ?? 'alert-routing');
}

test('alerts go to their targets by severity; every credential is a Secret reference', () => {
  const config = routing({
    routes: {
      critical: [
        NotificationTarget.slack({ apiUrl: slackUrl, channel: '#shop-oncall' }),
        NotificationTarget.snsTopic({
          topicArn: 'arn:aws:sns:eu-west-1:123456789012:shop-alerts',
          bridgeUrl: 'http://sns-forwarder.monitoring.svc:9087/',
        }),
      ],
      warning: [
        NotificationTarget.email({
          to: 'shop-team@example.com',
          from: 'alertmanager@example.com',
          smarthost: 'smtp.example.com:587',
          username: 'alertmanager',
          password: { secretName: 'alerting', key: 'smtp-password' },
        }),
        NotificationTarget.webhook({ secretName: 'alerting', key: 'webhook-url' }),
      ],
    },
  });
  expect(config.apiVersion).toBe('monitoring.coreos.com/v1alpha1');
  expect(config.spec.route).toEqual({
    receiver: 'unrouted',
    groupBy: ['alertname', 'service'],
    groupWait: '30s',
    groupInterval: '5m',
    repeatInterval: '4h',
    routes: [
      { receiver: 'critical', matchers: [{ name: 'severity', value: 'critical', matchType: '=' }] },
      { receiver: 'warning', matchers: [{ name: 'severity', value: 'warning', matchType: '=' }] },
    ],
  });
  expect(config.spec.receivers).toEqual([
    { name: 'unrouted' },
    {
      name: 'critical',
      slackConfigs: [
        {
          apiURL: { name: 'alerting', key: 'slack-url' },
          channel: '#shop-oncall',
          sendResolved: true,
          title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}',
          text: '{{ range .Alerts }}{{ .Annotations.summary }}: {{ .Annotations.description }}\n{{ end }}',
        },
      ],
      webhookConfigs: [
        { url: 'http://sns-forwarder.monitoring.svc:9087/alert/shop-alerts', sendResolved: true },
      ],
    },
    {
      name: 'warning',
      emailConfigs: [
        {
          to: 'shop-team@example.com',
          from: 'alertmanager@example.com',
          smarthost: 'smtp.example.com:587',
          authUsername: 'alertmanager',
          authPassword: { name: 'alerting', key: 'smtp-password' },
          sendResolved: true,
        },
      ],
      webhookConfigs: [{ urlSecret: { name: 'alerting', key: 'webhook-url' }, sendResolved: true }],
    },
  ]);
});

test.each([
  [
    'an unknown severity',
    { routes: { page: [NotificationTarget.webhook(slackUrl)] } as never },
    'test/alerts: alert routing severity "page" is unknown. Use one of "critical", "warning", "info"',
  ],
  [
    'a severity without targets',
    { routes: { critical: [] } },
    'test/alerts: alert routing for "critical" has no targets. Give it a NotificationTarget, or leave the severity out',
  ],
  [
    'a malformed SNS topic ARN',
    {
      routes: { critical: [NotificationTarget.snsTopic({ topicArn: 'shop-alerts', bridgeUrl: 'http://b' })] },
    },
    'test/alerts: SNS topic ARN "shop-alerts" is not an SNS topic ARN. Write it like "arn:aws:sns:eu-west-1:123456789012:shop-alerts"',
  ],
  [
    'credentials in the bridge URL',
    {
      routes: {
        critical: [
          NotificationTarget.snsTopic({
            topicArn: 'arn:aws:sns:eu-west-1:123456789012:a',
            bridgeUrl: 'http://user:secret@bridge',
          }),
        ],
      },
    },
    'test/alerts: SNS bridge URL "http://user:secret@bridge" holds credentials. Leave credentials to the bridge',
  ],
  [
    'a bad email address',
    {
      routes: {
        info: [
          NotificationTarget.email({ to: 'team', from: 'a@example.com', smarthost: 'smtp.example.com:25' }),
        ],
      },
    },
    'test/alerts: email to address "team" is not an email address. Write it like "oncall@example.com"',
  ],
  [
    'a Slack channel that is not a name',
    { routes: { info: [NotificationTarget.slack({ apiUrl: slackUrl, channel: 'shop alerts' })] } },
    'test/alerts: Slack channel "shop alerts" is not a channel name. Write it like "#shop-alerts"',
  ],
])('%s is refused', (_label, props, message) => {
  expect(() => routing(props as AlertRoutingProps)).toThrow(message);
});
