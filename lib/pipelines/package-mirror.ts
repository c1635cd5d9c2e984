import { Construct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import * as plus from '../core/plus.js';
import type { EnvVarJson } from './build-env.js';

export interface PackageMirrorProps {
  /** The npm registry URL, for example a CodeArtifact or Nexus npm repository. */
  readonly npm?: string;
  /** The pip index URL (a PEP 503 "simple" index). */
  readonly pip?: string;
  /** The Maven repository URL, used as a mirror of every repository. */
  readonly maven?: string;
  /**
   * The Secret and key that hold the registry's token. Kubernetes puts it into the build's environment
   * as MIRROR_TOKEN; the config files only refer to it, so no secret is ever written into the chart.
   *
   * @default - the mirror needs no credentials
   */
  readonly tokenSecret?: { readonly secretName: string; readonly key: string };
  /**
   * The user name that goes with the token (pip and Maven send both).
   *
   * @default 'aws' (what CodeArtifact expects)
   */
  readonly username?: string;
}

const MOUNT = '/etc/package-mirror';

/**
 * CodeArtifact's role: npm, pip and Maven fetch through one registry mirror. A ConfigMap holds `.npmrc`
 * and Maven's `settings.xml`, which read the token from the environment (`${MIRROR_TOKEN}`,
 * `${env.MIRROR_TOKEN}`); pip's index URL gets it through Kubernetes' own `$(MIRROR_TOKEN)` expansion.
 */
export class PackageMirror extends Construct {
  public readonly configMap: plus.k8s.KubeConfigMap;
  /** The env entries a build step needs. */
  public readonly env: readonly EnvVarJson[];
  public readonly volumes: readonly { name: string; configMap: { name: string } }[];
  public readonly volumeMounts: readonly { name: string; mountPath: string; readOnly: boolean }[];

  public constructor(scope: Construct, id: string, props: PackageMirrorProps) {
    super(scope, id);
    if (!props.npm && !props.pip && !props.maven) {
      invalid(
        this,
        'a PackageMirror needs at least one of npm, pip, maven',
        'Give the URL of the mirror for each package manager it serves',
      );
    }
    for (const [key, url] of Object.entries({ npm: props.npm, pip: props.pip, maven: props.maven })) {
      if (url !== undefined && !/^https:\/\/[^\s/@]+(\/\S*)?$/.test(url)) {
        invalid(
          this,
          `${key} must be an https URL without credentials, got ${show(url)}`,
          'Use https://host/path; credentials come from tokenSecret',
        );
      }
    }
    const token = props.tokenSecret !== undefined;
    const user = props.username ?? 'aws';
    const data: Record<string, string> = {};
    if (props.npm) {
      const host = props.npm.replace(/^https:/, '').replace(/\/?$/, '/');
      data.npmrc = [
        `registry=${props.npm}`,
        ...(token ? [`${host}:_authToken=\${MIRROR_TOKEN}`] : []),
        'always-auth=' + String(token),
        '',
      ].join('\n');
    }
    if (props.maven) {
      data['settings.xml'] = [
        '<settings>',
        '  <mirrors><mirror><id>package-mirror</id><mirrorOf>*</mirrorOf>',
        `    <url>${props.maven}</url></mirror></mirrors>`,
        ...(token
          ? [
              '  <servers><server><id>package-mirror</id>',
              `    <username>${user}</username><password>\${env.MIRROR_TOKEN}</password></server></servers>`,
            ]
          : []),
        '</settings>',
        '',
      ].join('\n');
    }
    this.configMap = new plus.k8s.KubeConfigMap(this, 'Resource', { data });
    const pipUrl =
      props.pip && token ? props.pip.replace('https://', `https://${user}:$(MIRROR_TOKEN)@`) : props.pip;
    this.env = [
      // First, so that the entries after it can refer to it.
      ...(props.tokenSecret
        ? [
            {
              name: 'MIRROR_TOKEN',
              valueFrom: { secretKeyRef: { name: props.tokenSecret.secretName, key: props.tokenSecret.key } },
            },
          ]
        : []),
      ...(props.npm ? [{ name: 'NPM_CONFIG_USERCONFIG', value: `${MOUNT}/npmrc` }] : []),
      ...(pipUrl ? [{ name: 'PIP_INDEX_URL', value: pipUrl }] : []),
      ...(props.maven ? [{ name: 'MAVEN_ARGS', value: `--settings ${MOUNT}/settings.xml` }] : []),
    ];
    this.volumes = [{ name: 'package-mirror', configMap: { name: this.configMap.name } }];
    this.volumeMounts = [{ name: 'package-mirror', mountPath: MOUNT, readOnly: true }];
  }
}
