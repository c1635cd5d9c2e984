/**
 * The package as users get it: `npm pack`, then the tarball installed into (a) a repository made by
 * `cdk8s-devops init` (ES modules, bundled by esbuild) and (b) the CommonJS project of cdk8s-cli's typescript-app
 * template (ts-node), each in a temporary folder, with their synth, type-check and tests.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllYaml } from '../util/yaml.js';
import { PROJECT_ROOT } from '../util/project.js';

const exec = promisify(execFile);
const MINUTES = 60_000;

/** npm's environment without what `npm test` sets for this project (npm_package_*, npm_config_*). */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

function run(command: string, args: readonly string[], cwd: string) {
  return exec(command, args, { cwd, env: cleanEnv, maxBuffer: 64 * 1024 * 1024 });
}

function npmInstall(cwd: string, tarball: string) {
  return run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], cwd);
}

function objectsIn(file: string): { kind: string; metadata: any; spec?: any }[] {
  return parseAllYaml(readFileSync(file, 'utf8'));
}

const work = mkdtempSync(join(tmpdir(), 'cdk8s-devops-package-'));
let tarball: string;
let files: string[];

// The consumers' installs come to about 700 MB.
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  await run('npm', ['pack', '--pack-destination', work], PROJECT_ROOT);
  const [name] = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  tarball = join(work, name);
  files = (await run('tar', ['tzf', tarball], work)).stdout
    .split('\n')
    .filter((f) => f !== '')
    .map((f) => f.replace(/^package\//, ''));
}, 5 * MINUTES);

test('the tarball holds compiled JavaScript with typings and source maps, the bundled CLI and the init template, and no sources or tests', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'build/lib/index.js',
      'build/lib/index.d.ts',
      'build/lib/index.js.map',
      'build/charts/service-chart.js',
      'build/charts/service-chart.d.ts',
      'build/client/index.js',
      'build/client/index.d.ts',
      'build/cli.mjs',
      'cli/cdk8s-devops.mjs',
      'cli/bundle.mjs',
      'cli/run-bundled.mjs',
      'templates/init/main.ts',
      'templates/init/gitignore',
    ]),
  );
  const sources = files.filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('templates/'),
  );
  expect(sources).toEqual([]);
  expect(files.filter((f) => /^(test|bench|dist|scripts|node_modules)\//.test(f))).toEqual([]);
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
  expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['cdk8s', 'cdk8s-plus-27', 'constructs']);
  for (const [entry, target] of Object.entries(pkg.exports)) {
    const path = typeof target === 'string' ? target : (target as { default: string }).default;
    expect({ entry, packed: files.includes(path.replace(/^\.\//, '')) }).toEqual({ entry, packed: true });
  }
});

describe("cdk8s-cli's typescript-app template (CommonJS, ts-node)", () => {
  const dir = join(work, 'typescript-app');

  beforeAll(async () => {
    cpSync(join(PROJECT_ROOT, 'test/package/fixtures/typescript-app'), dir, { recursive: true });
    await npmInstall(dir, tarball);
  }, 5 * MINUTES);

  test(
    'type-checks with its own settings (no skipLibCheck) against the typings',
    async () => {
      await expect(
        run(join(dir, 'node_modules/.bin/tsc'), ['--noEmit', '-p', '.'], dir),
      ).resolves.toMatchObject({
        stdout: '',
      });
    },
    2 * MINUTES,
  );

  test(
    'synthesizes with ts-node, its constructs sharing the project’s cdk8s',
    async () => {
      await run(join(dir, 'node_modules/.bin/cdk8s'), ['synth', '--no-check-upgrade'], dir);
      const objects = objectsIn(join(dir, 'dist/typescript-app.k8s.yaml'));
      const deployment = objects.find((o) => o.kind === 'Deployment');
      expect(deployment?.spec.template.spec.containers[0].image).toBe('ghcr.io/acme/web:1.0.0');
      expect(deployment?.spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
      expect(objects.find((o) => o.kind === 'ConfigMap')?.metadata.name).toMatch(/^typescript-app-settings-/);
    },
    2 * MINUTES,
  );

  test('require() loads the library and the client API', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '-e',
        "const lib = require('cdk8s-devops'); const client = require('cdk8s-devops/client');" +
          'console.log(typeof lib.WebService, typeof lib.Environments, typeof client.loadManifests)',
      ],
      dir,
    );
    expect(stdout).toBe('function function function\n');
  });

  test('the installed CLI runs as shipped: --help builds nothing', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(dir, 'node_modules/.bin/cdk8s-devops'), '--help'],
      dir,
    );
    expect(stderr).toBe('');
    expect(stdout).toContain('Usage: cdk8s-devops');
    expect(stdout).toContain('init [options] <dir>');
    expect(existsSync(join(dir, 'node_modules/.cache/cdk8s-devops'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules/esbuild'))).toBe(false);
  });
});

/** What a consumer writes: every entry point, the new props, the client's types. */
const CONSUMER = `import { App } from 'cdk8s';
import type { IGrantee } from 'cdk8s-devops';
import { AppStack, ServiceKind, StatefulService, WebService } from 'cdk8s-devops';
import { PlatformChart } from 'cdk8s-devops/charts';
import type { ReleaseOptions } from 'cdk8s-devops/client';
import { loadManifests, Release } from 'cdk8s-devops/client';
import { GitOps } from 'cdk8s-devops/gitops';
import { BuildProject } from 'cdk8s-devops/pipelines';

const app = new App();
const stack = new AppStack(app, 'shop', { platform: new PlatformChart(app, 'platform', { namespace: 'shop' }) });
const queue = new StatefulService(stack, 'queue', { image: 'rabbitmq:3.13.7', port: 5672, runAsUser: 999 });
const front = new WebService(stack, 'front', {
  image: 'nginx:1.27.3',
  port: 80,
  imagePullPolicy: 'IfNotPresent',
  addCapabilities: ['NET_BIND_SERVICE'],
  serviceKind: ServiceKind.nodePort({ nodePorts: { http: 30080 } }),
});
front.calls(queue, { ports: [5672] });
const grantee: IGrantee = front;
const options: Partial<ReleaseOptions> = {};
export const used = [grantee, options, loadManifests, Release, GitOps, BuildProject];
`;

/** The consumer's compiler settings: strict, without skipLibCheck, with the module system named. */
const CONSUMERS: Record<string, { file: string; options: Record<string, unknown> }> = {
  'node16 ESM': { file: 'consumer.mts', options: { module: 'node16', moduleResolution: 'node16' } },
  'bundler ESM': { file: 'consumer.ts', options: { module: 'esnext', moduleResolution: 'bundler' } },
  // @kubernetes/client-node's typings default-import CommonJS modules, as `tsc --init` allows.
  CommonJS: {
    file: 'consumer.ts',
    options: { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true },
  },
  'node16 ESM, exactOptionalPropertyTypes': {
    file: 'consumer.mts',
    options: { module: 'node16', moduleResolution: 'node16', exactOptionalPropertyTypes: true },
  },
};

describe('a consumer type-checks under strict with nothing but the package, its peers, typescript and @types/node', () => {
  const dir = join(work, 'consumer');
  const own = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));

  beforeAll(async () => {
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), '{ "name": "consumer", "private": true }\n');
    for (const file of ['consumer.ts', 'consumer.mts']) {
      writeFileSync(join(dir, file), CONSUMER);
    }
    await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        tarball,
        `typescript@${own.devDependencies.typescript}`,
        `@types/node@${own.devDependencies['@types/node']}`,
      ],
      dir,
    );
  }, 5 * MINUTES);

  test.each(Object.keys(CONSUMERS))(
    '%s',
    async (name) => {
      const { file, options } = CONSUMERS[name];
      const config = `tsconfig.${name.replace(/[^a-z0-9]+/gi, '-')}.json`;
      writeFileSync(
        join(dir, config),
        JSON.stringify({
          compilerOptions: { strict: true, noEmit: true, target: 'es2022', types: ['node'], ...options },
          files: [file],
        }),
      );
      const errors = await run(join(dir, 'node_modules/.bin/tsc'), ['-p', config], dir).then(
        () => '',
        (e: { stdout: string }) => e.stdout,
      );
      // cdk8s-plus-27's own classes do not match its interfaces under exactOptionalPropertyTypes
      // (resourceName); that is upstream's, and no consumer of cdk8s-plus-27 escapes it.
      const ours = errors
        .split(/\n(?=\S)/)
        .filter((e) => e.trim() !== '' && !e.startsWith('node_modules/cdk8s-plus-27/'));
      expect(ours).toEqual([]);
    },
    2 * MINUTES,
  );
});

/** The team's port, as a new user writes it in app.ts: the public API alone, no JSON patch. */
const SHOP_APP = `import type { App } from 'cdk8s';
import { Size } from 'cdk8s';
import type { Environment } from 'cdk8s-devops';
import { AppStack, PodVolume, ServiceKind, StatefulService, WebService } from 'cdk8s-devops';
import { PlatformChart } from 'cdk8s-devops/charts';

export function buildEnvironment(app: App, env: Environment): void {
  const namespace = env.namespace ?? env.applySet;
  const platform = new PlatformChart(app, 'platform', { namespace, monitoring: false });
  const shop = new AppStack(app, 'shop', { platform });
  const db = new StatefulService(shop, 'orders-db', {
    image: 'postgres:16.4',
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'postgres', number: 5432 }],
    runAsUser: 999,
    runAsGroup: 999,
    fsGroup: 999,
    writableTmp: true,
    mounts: [{ path: '/var/run/postgresql', volume: PodVolume.emptyDir('run') }],
    initContainers: [
      {
        name: 'seed',
        image: 'ghcr.io/acme/orders-seed:1.0.0',
        command: ['sh', '-c', 'test -e /seed/PG_VERSION || cp -a /snapshot/. /seed/'],
      },
    ],
    volumeClaims: [
      {
        name: 'data',
        mountPath: '/var/lib/postgresql/data',
        storage: Size.gibibytes(5),
        containerMounts: [{ container: 'seed', path: '/seed' }],
      },
    ],
  });
  const broker = new StatefulService(shop, 'broker', {
    image: 'rabbitmq:3.13.7',
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'amqp', number: 5672 }],
    runAsUser: 999,
    runAsGroup: 999,
    fsGroup: 999,
    writableTmp: true,
    volumeClaims: [{ name: 'data', mountPath: '/var/lib/rabbitmq', storage: Size.gibibytes(2) }],
    sidecars: [
      {
        name: 'exporter',
        image: 'kbudde/rabbitmq-exporter:1.0.0',
        ports: [{ name: 'metrics', number: 9419 }],
        runAsUser: 65534,
      },
    ],
    additionalServices: [
      {
        name: 'broker-metrics',
        ports: ['metrics'],
        annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9419' },
      },
    ],
  });
  const front = new WebService(shop, 'front', {
    image: 'nginx:1.27.3',
    imagePullPolicy: 'IfNotPresent',
    port: 80,
    servicePort: 80,
    addCapabilities: ['NET_BIND_SERVICE'],
    serviceKind: ServiceKind.nodePort({ nodePorts: { http: 30080 } }),
    writableTmp: true,
    replicas: env.number('replicas'),
  });
  front.calls(broker, { ports: [5672] });
  front.calls(db);
}
`;

describe('a repository made by `cdk8s-devops init` (ES modules, bundled by esbuild, tests through tsx)', () => {
  const dir = join(work, 'payments');

  beforeAll(async () => {
    // A freshly cloned empty repository: .git alone. init installs the tarball itself, pinned to it.
    mkdirSync(join(dir, '.git'), { recursive: true });
    const fixtureCli = join(work, 'typescript-app/node_modules/.bin/cdk8s-devops');
    const { stdout } = await exec(process.execPath, [fixtureCli, 'init', 'payments', '--package', tarball], {
      cwd: work,
      env: { ...cleanEnv, npm_config_prefer_offline: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    });
    const pinned = `file:../${basename(tarball)}`;
    expect(stdout).toMatch(new RegExp(`^created ${dir}\ncdk8s-devops: ${pinned} \\(the tarball `));
    expect(stdout).toMatch(/next: cd payments && npm run synth\n$/);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies['cdk8s-devops']).toBe(
      pinned,
    );
  }, 5 * MINUTES);

  test('has the files init promises', () => {
    expect(readdirSync(dir).sort()).toEqual(
      expect.arrayContaining([
        '.gitignore',
        'README.md',
        'app.ts',
        'cdk8s.yaml',
        'main.test.ts',
        'main.ts',
        'package.json',
        'tsconfig.json',
      ]),
    );
  });

  test(
    'synthesizes every environment on its first run, with GitOps objects',
    async () => {
      await run('npm', ['run', 'synth'], dir);
      // From the package's runner: a bundle of the app, and V8's code cache of it for the next synth.
      expect(readdirSync(join(dir, 'node_modules/.cache/cdk8s-devops')).sort()).toEqual([
        'main.cjs',
        'main.cjs.cache',
        'main.cjs.meta.json',
      ]);
      expect(readdirSync(join(dir, 'dist')).sort()).toEqual(['dev', 'gitops', 'prod', 'staging']);
      expect(readdirSync(join(dir, 'dist/prod')).sort()).toEqual([
        'kustomization.yaml',
        'platform.k8s.yaml',
        'web.k8s.yaml',
      ]);
      const prod = objectsIn(join(dir, 'dist/prod/web.k8s.yaml'));
      expect(prod.find((o) => o.kind === 'Deployment')?.spec.template.spec.containers[0].image).toBe(
        'ghcr.io/acme/web:1.0.0',
      );
      expect(prod.find((o) => o.kind === 'Rollout')?.spec.strategy.canary).toBeDefined();
      const dev = objectsIn(join(dir, 'dist/dev/web.k8s.yaml'));
      expect(dev.find((o) => o.kind === 'Deployment')?.spec).toMatchObject({
        replicas: 1,
        strategy: { type: 'Recreate' },
      });
      expect(objectsIn(join(dir, 'dist/prod/platform.k8s.yaml')).map((o) => o.kind)).toContain(
        'ResourceQuota',
      );
      expect(objectsIn(join(dir, 'dist/gitops/argo-cd.k8s.yaml')).map((o) => o.metadata.name)).toEqual([
        'payments-dev',
        'payments-staging',
        'payments-prod',
      ]);
    },
    2 * MINUTES,
  );

  test(
    'type-checks, and its own test passes',
    async () => {
      await run('npm', ['run', 'typecheck'], dir);
      const { stdout } = await run('npm', ['test'], dir);
      expect(stdout).toMatch(/# pass 1\n# fail 0/);
    },
    2 * MINUTES,
  );

  test(
    'ports a shop through the public API alone: a database with a seeded claim, a broker with a sidecar exporter behind a Service, a NodePort front end; it type-checks and synthesizes, so the policy checks found nothing',
    async () => {
      writeFileSync(join(dir, 'app.ts'), SHOP_APP);
      await run('npm', ['run', 'typecheck'], dir);
      // DevOpsApp stops the synth at the first policy finding or object made twice.
      await run('npm', ['run', 'synth'], dir);
      expect(readdirSync(join(dir, 'dist/prod')).sort()).toEqual([
        '0000-platform.k8s.yaml',
        '0001-shop.k8s.yaml',
        'kustomization.yaml',
      ]);
      const platform = objectsIn(join(dir, 'dist/prod/0000-platform.k8s.yaml')).map((o) => o.kind);
      expect(platform).toEqual(expect.arrayContaining(['Namespace', 'ResourceQuota', 'LimitRange']));
      const shop = objectsIn(join(dir, 'dist/prod/0001-shop.k8s.yaml'));
      const find = (kind: string, name: string) =>
        shop.find((o) => o.kind === kind && o.metadata.name === name);
      expect(shop.filter((o) => o.kind === 'Namespace')).toEqual([]);
      const db = find('StatefulSet', 'orders-db')?.spec;
      expect(db.template.spec.initContainers[0].volumeMounts).toEqual([{ mountPath: '/seed', name: 'data' }]);
      expect(db.volumeClaimTemplates[0].metadata.name).toBe('data');
      expect(find('Service', 'broker-metrics')?.spec.ports).toEqual([
        { name: 'metrics', port: 9419, targetPort: 9419 },
      ]);
      expect(find('Service', 'broker-metrics')?.metadata.annotations).toEqual({
        'prometheus.io/port': '9419',
        'prometheus.io/scrape': 'true',
      });
      expect(find('Service', 'front')?.spec).toMatchObject({
        type: 'NodePort',
        ports: [{ name: 'http', nodePort: 30080, port: 80, targetPort: 80 }],
      });
      const front = find('Deployment', 'front')?.spec.template.spec.containers[0];
      expect(front.securityContext.capabilities).toEqual({ add: ['NET_BIND_SERVICE'], drop: ['ALL'] });
      expect(front.imagePullPolicy).toBe('IfNotPresent');
      expect(find('NetworkPolicy', 'broker-from-front')?.spec.ingress[0].ports).toEqual([
        { port: 5672, protocol: 'TCP' },
      ]);
    },
    3 * MINUTES,
  );

  test('import loads the client API', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const c = await import('cdk8s-devops/client'); console.log(typeof c.loadManifests)",
      ],
      dir,
    );
    expect(stdout).toBe('function\n');
  });
});
