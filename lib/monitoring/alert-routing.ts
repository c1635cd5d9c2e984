import { Construct } from 'constructs';
import type {
  AlertmanagerConfigSpecReceivers,
  AlertmanagerConfigSpecRoute,
} from '../../imports/monitoring.coreos.com.js';
import {
  AlertmanagerConfig,
  AlertmanagerConfigSpecRouteMatchersMatchType,
} from '../../imports/monitoring.coreos.com.js';
import { invalid, show } from '../core/errors.js';
import type { Severity } from '../alarms/alarm-props.js';
import { SEVERITIES } from '../alarms/alarm-props.js';
import type { SecretKey } from './fluent-bit.js';

type Receiver = Omit<AlertmanagerConfigSpecReceivers, 'name'>;

/**
 * Where alerts are sent (CloudWatch alarm actions): each target is an Alertmanager receiver config;
 * credentials and tokenized URLs are referenced in Secrets, never written into the chart.
 */
export class NotificationTarget {
  /** An HTTP endpoint that takes Alertmanager's webhook payload; its URL (which often holds a token) from a Secret. */
  public static webhook(url: SecretKey): NotificationTarget {
    return new NotificationTarget('webhook', () => ({
      webhookConfigs: [{ urlSecret: { name: url.secretName, key: url.key }, sendResolved: true }],
    }));
  }

  /** A Slack channel through an incoming webhook, whose URL is read from a Secret. */
  public static slack(options: { readonly apiUrl: SecretKey; readonly channel: string }): NotificationTarget {
    return new NotificationTarget('slack', (scope) => {
      if (!/^[#@]?[a-z0-9._-]+$/i.test(options.channel)) {
        invalid(
          scope,
          `Slack channel ${show(options.channel)} is not a channel name`,
          'Write it like "#shop-alerts"',
        );
      }
      return {
        slackConfigs: [
          {
            apiUrl: { name: options.apiUrl.secretName, key: options.apiUrl.key },
            channel: options.channel,
            sendResolved: true,
            title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}',
            text: '{{ range .Alerts }}{{ .Annotations.summary }}: {{ .Annotations.description }}\n{{ end }}',
          },
        ],
      };
    });
  }

  /** Email through an SMTP server; the password is read from a Secret. */
  public static email(options: {
    readonly to: string;
    readonly from: string;
    readonly smarthost: string;
    readonly username?: string;
    readonly password?: SecretKey;
  }): NotificationTarget {
    return new NotificationTarget('email', (scope) => {
      for (const [prop, address] of [
        ['to', options.to],
        ['from', options.from],
      ] as const) {
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) {
          invalid(
            scope,
            `email ${prop} address ${show(address)} is not an email address`,
            'Write it like "oncall@example.com"',
          );
        }
      }
      if (!/^[^:\s]+:\d+$/.test(options.smarthost)) {
        invalid(
          scope,
          `email smarthost ${show(options.smarthost)} is not host:port`,
          'Write it like "smtp.example.com:587"',
        );
      }
      return {
        emailConfigs: [
          {
            to: options.to,
            from: options.from,
            smarthost: options.smarthost,
            authUsername: options.username,
            authPassword: options.password
              ? { name: options.password.secretName, key: options.password.key }
              : undefined,
            sendResolved: true,
          },
        ],
      };
    });
  }

  /**
   * An Amazon SNS topic, through a webhook bridge that runs in the cluster with the AWS credentials
   * (for example alertmanager-sns-forwarder, which publishes what it receives at `/alert/<topic>` to
   * the topic of that name), so that no AWS key is ever in Alertmanager's configuration.
   */
  public static snsTopic(options: {
    readonly topicArn: string;
    readonly bridgeUrl: string;
  }): NotificationTarget {
    return new NotificationTarget('sns', (scope) => {
      const arn = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:([A-Za-z0-9_-]{1,256})$/.exec(options.topicArn);
      if (!arn) {
        invalid(
          scope,
          `SNS topic ARN ${show(options.topicArn)} is not an SNS topic ARN`,
          'Write it like "arn:aws:sns:eu-west-1:123456789012:shop-alerts"',
        );
      }
      const bridge = new URL(options.bridgeUrl);
      if (bridge.username || bridge.password) {
        invalid(
          scope,
          `SNS bridge URL ${show(options.bridgeUrl)} holds credentials`,
          'Leave credentials to the bridge',
        );
      }
      return {
        webhookConfigs: [
          { url: `${options.bridgeUrl.replace(/\/+$/, '')}/alert/${arn[1]}`, sendResolved: true },
        ],
      };
    });
  }

  private constructor(
    public readonly kind: string,
    private readonly config: (scope: Construct) => Receiver,
  ) {}

  /** @internal */
  public _bind(scope: Construct): Receiver {
    return this.config(scope);
  }
}

export interface AlertRoutingProps {
  /** The targets of each severity's alerts; a severity left out is not sent anywhere. */
  readonly routes: Partial<Record<Severity, readonly NotificationTarget[]>>;
  /**
   * The AlertmanagerConfig's name.
   *
   * @default 'alert-routing'
   */
  readonly name?: string;
  /**
   * How long to wait before resending a firing alert.
   *
   * @default '4h'
   */
  readonly repeatInterval?: string;
}

/**
 * Sends the namespace's alerts to their targets by severity (Prometheus Operator AlertmanagerConfig;
 * the operator restricts it to alerts of its own namespace).
 */
export class AlertRouting extends Construct {
  public readonly resource: AlertmanagerConfig;

  public constructor(scope: Construct, id: string, props: AlertRoutingProps) {
    super(scope, id);
    const receivers: AlertmanagerConfigSpecReceivers[] = [{ name: 'unrouted' }];
    const routes: AlertmanagerConfigSpecRoute[] = [];
    for (const [severity, targets] of Object.entries(props.routes)) {
      if (!(SEVERITIES as readonly string[]).includes(severity)) {
        invalid(
          this,
          `alert routing severity ${show(severity)} is unknown`,
          `Use one of ${SEVERITIES.map((s) => show(s)).join(', ')}`,
        );
      }
      if (!targets || targets.length === 0) {
        invalid(
          this,
          `alert routing for ${show(severity)} has no targets`,
          'Give it a NotificationTarget, or leave the severity out',
        );
      }
      const merged: Record<string, unknown[]> = {};
      for (const target of targets) {
        for (const [key, configs] of Object.entries(target._bind(this))) {
          merged[key] = [...(merged[key] ?? []), ...(configs as unknown[])];
        }
      }
      receivers.push({ name: severity, ...merged });
      routes.push({
        receiver: severity,
        matchers: [
          {
            name: 'severity',
            value: severity,
            matchType: AlertmanagerConfigSpecRouteMatchersMatchType.VALUE_EQUALS,
          },
        ],
      });
    }
    this.resource = new AlertmanagerConfig(this, 'Resource', {
      metadata: { name: props.name ?? 'alert-routing' },
      spec: {
        route: {
          receiver: 'unrouted',
          groupBy: ['alertname', 'service'],
          groupWait: '30s',
          groupInterval: '5m',
          repeatInterval: props.repeatInterval ?? '4h',
          routes,
        },
        receivers,
      },
    });
  }
}
