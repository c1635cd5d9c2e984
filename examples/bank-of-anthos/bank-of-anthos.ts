/**
 * Bank of Anthos (GoogleCloudPlatform/bank-of-anthos), ported from its Kubernetes manifests
 * (upstream/*.yaml) to the library's constructs. UPSTREAM.md says where it comes from and what differs
 * on purpose.
 */
import type { Construct } from 'constructs';
import { AppStack } from '../../lib/apps/app-stack.js';
import { ConfigMap } from '../../lib/apps/config-map.js';
import { EnvSource } from '../../lib/apps/env-source.js';
import { ExistingSecret } from '../../lib/apps/existing-secret.js';
import { HealthCheck } from '../../lib/apps/health-check.js';
import { PodVolume } from '../../lib/apps/pod-volume.js';
import { ServiceKind } from '../../lib/apps/service-kind.js';
import { StatefulService } from '../../lib/apps/stateful-service.js';
import type { VolumeMount } from '../../lib/apps/pod-volume.js';
import type { WebServiceProps } from '../../lib/apps/web-service.js';
import { WebService } from '../../lib/apps/web-service.js';
import { Worker } from '../../lib/apps/worker.js';
import { resources } from '../resources.js';

export interface BankOfAnthosProps {
  /** The namespace the bank runs in. */
  readonly namespace: string;
}

const REGISTRY = 'us-central1-docker.pkg.dev/bank-of-anthos-ci/bank-of-anthos';
const VERSION = 'v0.6.10';

/** The images upstream pins by tag and digest. */
const IMAGES = {
  'accounts-db':
    'accounts-db:v0.6.10@sha256:d95c4094c75f69069b915ef3adc99a8f95e43077885140cdeeb90d807ea74eff',
  balancereader:
    'balancereader:v0.6.10@sha256:feae443c650786c253bbfa3447d0902dd1689122c13962f97ccc37068d73733b',
  contacts: 'contacts:v0.6.10@sha256:90d47594270e64f8dafa6da52c89ff70c2483cca0821dff2cc38b1450ac7a6b9',
  frontend: 'frontend:v0.6.10@sha256:076294ce717309f711743fa3b72a9809c7f156edf1c4fa58505fd9f436d65345',
  'ledger-db': 'ledger-db:v0.6.10@sha256:891cb7afe34f358ce7ed7002a1923b25e113b30bca44fecb10cc8b116d665a03',
  ledgerwriter:
    'ledgerwriter:v0.6.10@sha256:eae37de0d9b28fec7534c1ea860868c87279b0a85b405f8fd66c3d7734e3e42f',
  loadgenerator:
    'loadgenerator:v0.6.10@sha256:dd7e27f1b1bcbb9c85070eb900a6060d098d06d62ef03f98182424919895df83',
  transactionhistory:
    'transactionhistory:v0.6.10@sha256:109cdad9c29a46af2708574ac4635dd73afa30cc020a4fef0266abcde87db744',
  userservice: 'userservice:v0.6.10@sha256:d8c4412edc46ab105000f721788b73301651cc43b19cee7e7302739f81882dcc',
} as const;

const image = (name: keyof typeof IMAGES) => `${REGISTRY}/${IMAGES[name]}`;

/** Upstream leaves the pull policy to Kubernetes, which keeps a pinned image it already has. */
const PULL = { imagePullPolicy: 'IfNotPresent' } as const;

/** Upstream labels each Service with the team and tier it belongs to. */
const serviceLabels = (team: 'accounts' | 'ledger' | 'frontend', tier: 'db' | 'backend' | 'web') => ({
  labels: { application: 'bank-of-anthos', environment: 'development', team, tier },
});

/** The application pods run as UID and GID 1000, with a writable /tmp under a read-only root. */
const APP_POD = {
  ...PULL,
  runAsUser: 1000,
  runAsGroup: 1000,
  fsGroup: 1000,
  terminationGracePeriodSeconds: 5,
  writableTmp: true,
  podAnnotations: { 'proxy.istio.io/config': '{ "holdApplicationUntilProxyStarts": true }' },
} as const;

/**
 * The Postgres images (postgres:16-alpine) run as their own user, 70, which upstream leaves to root:
 * Pod Security "restricted" refuses root. Under a read-only root Postgres writes its socket to
 * /var/run/postgresql and its data to the emptyDir upstream gives it.
 */
const POSTGRES_POD = {
  ...PULL,
  runAsUser: 70,
  runAsGroup: 70,
  fsGroup: 70,
  writableTmp: true,
  mounts: [
    { path: '/var/lib/postgresql/data', volume: PodVolume.emptyDir('postgresdb'), subPath: 'postgres' },
    { path: '/var/run/postgresql', volume: PodVolume.emptyDir('run') },
  ],
} as const;

/** The Java services' common settings; they read the namespace from the downward API. */
const JAVA_ENV = {
  ENABLE_METRICS: 'true',
  JVM_OPTS: '-XX:+UnlockExperimentalVMOptions -XX:+UseCGroupMemoryLimitForHeap -Xms256m -Xmx512m',
  NAMESPACE: EnvSource.fromField('metadata.namespace'),
} as const;

/** The bank: a frontend, the accounts services and database, the ledger services and database, a load generator. */
export class BankOfAnthos extends AppStack {
  public readonly frontend: WebService;
  public readonly services: Record<string, WebService>;
  public readonly databases: Record<string, StatefulService>;
  public readonly loadGenerator: Worker;
  /** The JWT key pair, which upstream leaves out of its manifests (extras/jwt/jwt-secret.yaml). */
  public readonly jwtKey: ExistingSecret;

  public constructor(scope: Construct, id: string, props: BankOfAnthosProps) {
    super(scope, id, { namespace: props.namespace });

    const environment = new ConfigMap(this, 'EnvironmentConfig', {
      metadata: { name: 'environment-config' },
      data: { LOCAL_ROUTING_NUM: '883745000', PUB_KEY_PATH: '/tmp/.ssh/publickey' },
    });
    const serviceApi = new ConfigMap(this, 'ServiceApiConfig', {
      metadata: { name: 'service-api-config' },
      data: {
        TRANSACTIONS_API_ADDR: 'ledgerwriter:8080',
        BALANCES_API_ADDR: 'balancereader:8080',
        HISTORY_API_ADDR: 'transactionhistory:8080',
        CONTACTS_API_ADDR: 'contacts:8080',
        USERSERVICE_API_ADDR: 'userservice:8080',
      },
    });
    const demoData = new ConfigMap(this, 'DemoDataConfig', {
      metadata: { name: 'demo-data-config' },
      data: { USE_DEMO_DATA: 'True', DEMO_LOGIN_USERNAME: 'testuser', DEMO_LOGIN_PASSWORD: 'bankofanthos' },
    });
    const accountsDbConfig = new ConfigMap(this, 'AccountsDbConfig', {
      metadata: { name: 'accounts-db-config' },
      data: {
        ACCOUNTS_DB_URI: 'postgresql://accounts-admin:accounts-pwd@accounts-db:5432/accounts-db',
        POSTGRES_DB: 'accounts-db',
        POSTGRES_PASSWORD: 'accounts-pwd',
        POSTGRES_USER: 'accounts-admin',
      },
    });
    const ledgerDbConfig = new ConfigMap(this, 'LedgerDbConfig', {
      metadata: { name: 'ledger-db-config' },
      data: {
        POSTGRES_DB: 'postgresdb',
        POSTGRES_PASSWORD: 'password',
        POSTGRES_USER: 'admin',
        SPRING_DATASOURCE_PASSWORD: 'password',
        SPRING_DATASOURCE_URL: 'jdbc:postgresql://ledger-db:5432/postgresdb',
        SPRING_DATASOURCE_USERNAME: 'admin',
      },
    });
    this.jwtKey = new ExistingSecret(this, 'JwtKey', { secretName: 'jwt-key' });
    // The services verify tokens with the public key; the user service signs them with the private one.
    const publicKey: VolumeMount = {
      path: '/tmp/.ssh',
      volume: PodVolume.secret('publickey', this.jwtKey, {
        items: [{ key: 'jwtRS256.key.pub', path: 'publickey' }],
      }),
    };
    const keyPair: VolumeMount = {
      path: '/tmp/.ssh',
      volume: PodVolume.secret('keys', this.jwtKey, {
        items: [
          { key: 'jwtRS256.key', path: 'privatekey' },
          { key: 'jwtRS256.key.pub', path: 'publickey' },
        ],
      }),
    };

    const accountsDb = new StatefulService(this, 'accounts-db', {
      image: image('accounts-db'),
      ...POSTGRES_POD,
      serviceMetadata: serviceLabels('accounts', 'db'),
      // Upstream's governing Service is a ClusterIP one, not headless.
      serviceKind: ServiceKind.clusterIp(),
      ports: [{ name: 'tcp', number: 5432 }],
      // Upstream checks neither database's readiness.
      readiness: HealthCheck.none(),
      envFrom: [environment, accountsDbConfig, demoData],
      resources: resources([100, 250], [128, 512]),
    });
    const ledgerDb = new StatefulService(this, 'ledger-db', {
      image: image('ledger-db'),
      containerName: 'postgres',
      ...POSTGRES_POD,
      serviceMetadata: serviceLabels('ledger', 'db'),
      // Upstream's governing Service is a ClusterIP one, not headless.
      serviceKind: ServiceKind.clusterIp(),
      ports: [{ name: 'tcp', number: 5432 }],
      readiness: HealthCheck.none(),
      envFrom: [environment, ledgerDbConfig, demoData],
      resources: resources([100, 250], [512, 1024]),
    });

    const ready = (initialDelaySeconds: number) =>
      HealthCheck.http('/ready', { initialDelaySeconds, periodSeconds: 5, timeoutSeconds: 10 });
    const started = (path: string) => HealthCheck.http(path, { periodSeconds: 10, failureThreshold: 30 });

    // The application services: upstream's pod settings, port 8080 on the Service too, and the env
    // every one of them sets.
    const service = (name: keyof typeof IMAGES, props: Omit<WebServiceProps, 'image'>) =>
      new WebService(this, name, {
        image: image(name),
        ...APP_POD,
        replicas: 1,
        port: 8080,
        servicePort: 8080,
        ...props,
        env: { VERSION, PORT: '8080', ENABLE_TRACING: 'true', LOG_LEVEL: 'info', ...props.env },
      });
    const healthy = HealthCheck.http('/healthy', {
      initialDelaySeconds: 120,
      periodSeconds: 5,
      timeoutSeconds: 10,
    });

    const userService = service('userservice', {
      serviceMetadata: serviceLabels('accounts', 'backend'),
      env: { TOKEN_EXPIRY_SECONDS: '3600', PRIV_KEY_PATH: '/tmp/.ssh/privatekey' },
      envFrom: [environment, accountsDbConfig],
      mounts: [keyPair],
      readiness: ready(10),
      resources: resources([260, 500], [128, 256], [256, 256]),
    });
    const contacts = service('contacts', {
      serviceMetadata: serviceLabels('accounts', 'backend'),
      envFrom: [environment, accountsDbConfig],
      mounts: [publicKey],
      readiness: ready(10),
      resources: resources([100, 250], [64, 128], [256, 256]),
    });
    const ledgerWriter = service('ledgerwriter', {
      serviceMetadata: serviceLabels('ledger', 'backend'),
      env: JAVA_ENV,
      envFrom: [environment, serviceApi, ledgerDbConfig],
      mounts: [publicKey],
      readiness: ready(60),
      startup: started('/ready'),
      resources: resources([100, 500], [256, 512], [512, 512]),
    });
    const balanceReader = service('balancereader', {
      serviceMetadata: serviceLabels('ledger', 'backend'),
      env: { ...JAVA_ENV, POLL_MS: '100', CACHE_SIZE: '1000000' },
      envFrom: [environment, ledgerDbConfig],
      mounts: [publicKey],
      readiness: ready(60),
      liveness: healthy,
      startup: started('/healthy'),
      resources: resources([100, 500], [256, 512], [512, 512]),
    });
    const transactionHistory = service('transactionhistory', {
      serviceMetadata: serviceLabels('ledger', 'backend'),
      env: { ...JAVA_ENV, POLL_MS: '100', CACHE_SIZE: '1000', CACHE_MINUTES: '60', HISTORY_LIMIT: '100' },
      envFrom: [environment, ledgerDbConfig],
      mounts: [publicKey],
      readiness: ready(60),
      liveness: healthy,
      startup: started('/healthy'),
      resources: resources([100, 500], [256, 512], [512, 512]),
    });
    this.frontend = service('frontend', {
      serviceMetadata: serviceLabels('frontend', 'web'),
      servicePort: 80,
      loadBalancer: { reason: 'Bank of Anthos serves its web frontend on an external load balancer' },
      containerName: 'front',
      env: {
        SCHEME: 'http',
        DEFAULT_USERNAME: EnvSource.fromConfigMapKey(demoData, 'DEMO_LOGIN_USERNAME'),
        DEFAULT_PASSWORD: EnvSource.fromConfigMapKey(demoData, 'DEMO_LOGIN_PASSWORD'),
        // oauth-config is made only where OAuth is set up; without it the frontend starts without them.
        REGISTERED_OAUTH_CLIENT_ID: EnvSource.fromConfigMapKey('oauth-config', 'DEMO_OAUTH_CLIENT_ID', {
          optional: true,
        }),
        ALLOWED_OAUTH_REDIRECT_URI: EnvSource.fromConfigMapKey('oauth-config', 'DEMO_OAUTH_REDIRECT_URI', {
          optional: true,
        }),
      },
      envFrom: [environment, serviceApi],
      mounts: [publicKey],
      readiness: ready(10),
      liveness: HealthCheck.http('/ready', {
        initialDelaySeconds: 60,
        periodSeconds: 15,
        timeoutSeconds: 30,
      }),
      resources: resources([100, 250], [64, 128]),
    });

    this.loadGenerator = new Worker(this, 'loadgenerator', {
      image: image('loadgenerator'),
      ...PULL,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      terminationGracePeriodSeconds: 5,
      replicas: 1,
      podAnnotations: { 'sidecar.istio.io/rewriteAppHTTPProbers': 'true' },
      env: { FRONTEND_ADDR: 'frontend:80', USERS: '5', LOG_LEVEL: 'error' },
      resources: resources([100, 250], [512, 1024]),
    });

    this.services = {
      userservice: userService,
      contacts,
      ledgerwriter: ledgerWriter,
      balancereader: balanceReader,
      transactionhistory: transactionHistory,
    };
    this.databases = { 'accounts-db': accountsDb, 'ledger-db': ledgerDb };

    // Upstream has no NetworkPolicies; under the stack's default deny each call is allowed by name.
    this.frontend.calls(userService, contacts, ledgerWriter, balanceReader, transactionHistory);
    userService.calls(accountsDb);
    contacts.calls(accountsDb);
    ledgerWriter.calls(ledgerDb, balanceReader);
    balanceReader.calls(ledgerDb);
    transactionHistory.calls(ledgerDb);
    this.loadGenerator.calls(this.frontend);
  }
}
