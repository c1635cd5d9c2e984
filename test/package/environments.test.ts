import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart } from 'cdk8s';
import { parseAllYaml, parseYaml } from '../util/yaml.js';
import { ConfigMap } from '../../lib/apps/index.js';
import {
  applySetNameOf,
  Environments,
  GitOps,
  readProjectConfig,
  resolveEnvironment,
} from '../../lib/gitops/index.js';

const ENVIRONMENTS = {
  dev: { namespace: 'shop-dev', settings: { replicas: 1, tag: '1.5.0-rc.1' } },
  prod: { applySet: 'shop-live', settings: { replicas: 3, tag: '1.4.2' } },
};

/** A project folder whose package.json has `config` under "cdk8s-devops". */
function project(config: unknown, name = '@acme/shop'): string {
  const dir = mkdtempSync(join(tmpdir(), 'environments-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, 'cdk8s-devops': config }));
  return dir;
}

/** Synthesizes `environments` in `dir` (as `cdk8s synth` would, with a staging folder) and lists dist/. */
function synthIn(dir: string, environments: Environments): void {
  const cwd = process.cwd();
  process.env.CDK8S_OUTDIR = mkdtempSync(join(tmpdir(), 'environments-staging-'));
  process.chdir(dir);
  try {
    environments.synth((app, env) => {
      const chart = new Chart(app, 'shop', { namespace: env.namespace ?? 'shop' });
      new ConfigMap(chart, 'settings', {
        metadata: { name: 'settings' },
        data: { REPLICAS: String(env.number('replicas')), TAG: env.string('tag') },
      });
    });
  } finally {
    process.chdir(cwd);
    delete process.env.CDK8S_OUTDIR;
  }
}

describe('environments from package.json', () => {
  test('each environment resolves to its folder, its own ApplySet and its namespace', () => {
    const loaded = readProjectConfig(project({ namespace: 'shop', environments: ENVIRONMENTS }));
    expect(resolveEnvironment(loaded, 'dev')).toEqual({
      name: 'dev',
      folder: 'dist/dev',
      applySet: 'shop-dev', // the package's name without its scope, and the environment
      namespace: 'shop-dev',
    });
    expect(resolveEnvironment(loaded, 'prod')).toEqual({
      name: 'prod',
      folder: 'dist/prod',
      applySet: 'shop-live',
      namespace: 'shop',
    });
  });

  test("the package's name gives one ApplySet name, for the project and as its environments' prefix", () => {
    expect(applySetNameOf('@acme/Shop_App')).toBe('shop-app');
    expect(applySetNameOf('shop.web')).toBe('shop.web');
    const loaded = readProjectConfig(project({ environments: ENVIRONMENTS }, '@acme/Shop_App'));
    expect(loaded.packageName).toBe('@acme/Shop_App');
    expect(resolveEnvironment(loaded, 'dev').applySet).toBe('shop-app-dev');
  });

  test('the project ApplySet name is the prefix of the environments ApplySets', () => {
    const loaded = readProjectConfig(project({ applySet: 'store', environments: ENVIRONMENTS }));
    expect(resolveEnvironment(loaded, 'dev').applySet).toBe('store-dev');
  });

  test('an unknown environment names the declared ones', () => {
    const loaded = readProjectConfig(project({ environments: ENVIRONMENTS }));
    expect(() => resolveEnvironment(loaded, 'qa')).toThrow(
      'unknown environment "qa": package.json "cdk8s-devops".environments declares "dev", "prod". Use one of them, or add "qa"',
    );
    expect(() => resolveEnvironment(readProjectConfig(project(undefined)), 'prod')).toThrow(
      'unknown environment "prod": package.json "cdk8s-devops" declares no environments. Add "environments": { "prod": { ... } } to it',
    );
  });

  test('environment names must be DNS labels, since they name folders and ApplySets', () => {
    const dir = project({ environments: { Prod_1: {} } });
    expect(() => readProjectConfig(dir)).toThrow(
      `${join(dir, 'package.json')}: environment name "Prod_1" must be a DNS-1123 label (lowercase letters, digits and '-'), since it names a folder and an ApplySet. Rename it`,
    );
  });

  test('a missing required setting is named for every environment before anything is built', () => {
    const dir = project({ environments: { dev: { settings: { tag: '1' } }, prod: { settings: {} } } });
    expect(() => Environments.fromPackageJson(dir, { required: ['replicas', 'tag'] })).toThrow(
      'missing required environment settings (package.json "cdk8s-devops".environments.<name>.settings):\n' +
        '  - dev: "replicas"\n  - prod: "replicas"\n  - prod: "tag"',
    );
  });

  test('settings are typed: a missing or mistyped one says where to fix it', () => {
    const environments = Environments.fromPackageJson(
      project({ environments: { dev: { settings: { replicas: 'two' } } } }),
    );
    const dev = environments.all[0];
    expect(() => dev.number('replicas')).toThrow(
      'environment "dev": the setting "replicas" must be a number, got "two". Fix it in package.json "cdk8s-devops".environments.dev.settings',
    );
    expect(() => dev.string('tag')).toThrow(
      'environment "dev": the setting "tag" is missing. Add "tag": <string> to package.json "cdk8s-devops".environments.dev.settings',
    );
    expect(dev.string('tag', '1.0.0')).toBe('1.0.0');
  });

  test('one app description is synthesized per environment into dist/<env>/ with a kustomization.yaml', () => {
    const dir = project({ namespace: 'shop', environments: ENVIRONMENTS });
    synthIn(dir, Environments.fromPackageJson(dir));
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual(['dev', 'prod']);
    for (const [env, namespace, replicas, tag] of [
      ['dev', 'shop-dev', '1', '1.5.0-rc.1'],
      ['prod', 'shop', '3', '1.4.2'],
    ]) {
      const folder = join(dir, 'dist', env);
      expect(readdirSync(folder).sort()).toEqual(['kustomization.yaml', 'shop.k8s.yaml']);
      const [config] = parseAllYaml(readFileSync(join(folder, 'shop.k8s.yaml'), 'utf8'));
      expect(config.metadata.namespace).toBe(namespace);
      expect(config.data).toEqual({ REPLICAS: replicas, TAG: tag });
      expect(parseYaml(readFileSync(join(folder, 'kustomization.yaml'), 'utf8'))).toEqual({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: ['shop.k8s.yaml'],
      });
    }
  });

  test('$CDK8S_DEVOPS_ENV picks environments; an unknown name is an error', () => {
    const dir = project({ environments: ENVIRONMENTS });
    process.env.CDK8S_DEVOPS_ENV = 'prod';
    try {
      synthIn(dir, Environments.fromPackageJson(dir));
      process.env.CDK8S_DEVOPS_ENV = 'prod,qa';
      expect(() => Environments.fromPackageJson(dir)).toThrow('unknown environment "qa"');
    } finally {
      delete process.env.CDK8S_DEVOPS_ENV;
    }
    expect(readdirSync(join(dir, 'dist'))).toEqual(['prod']);
  });

  test('an environment that fails to build leaves every folder as it was', () => {
    const dir = project({ environments: ENVIRONMENTS });
    synthIn(dir, Environments.fromPackageJson(dir));
    const before = readFileSync(join(dir, 'dist/dev/shop.k8s.yaml'), 'utf8');
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'shop',
        'cdk8s-devops': { environments: { dev: { settings: { replicas: 2, tag: '2' } }, prod: {} } },
      }),
    );
    expect(() => synthIn(dir, Environments.fromPackageJson(dir))).toThrow(
      'environment "prod": the setting "replicas" is missing',
    );
    expect(readFileSync(join(dir, 'dist/dev/shop.k8s.yaml'), 'utf8')).toBe(before);
  });
});

test('a setting may be held to a list of choices', () => {
  const [dev] = Environments.fromPackageJson(
    project({ environments: { dev: { settings: { strategy: 'big-bang' } } } }),
  ).all;
  expect(() => dev.oneOf('strategy', ['rolling', 'canary'])).toThrow(
    'environment "dev": the setting "strategy" must be one of "rolling", "canary", got "big-bang". Fix it in package.json "cdk8s-devops".environments.dev.settings',
  );
  expect(dev.oneOf('tier', ['gold', 'silver'], 'silver')).toBe('silver');
});

describe('clusters', () => {
  const clustered = {
    staging: { cluster: 'staging-cluster', settings: { replicas: 1, tag: '2' } },
    platform: { cluster: 'prod-cluster', settings: { replicas: 1, tag: '1' } },
    prod: { cluster: 'prod-cluster', dependsOn: ['platform'], settings: { replicas: 3, tag: '1' } },
  };

  test("each cluster's engine gets the GitOps objects of its own environments, in dist/gitops/<cluster>", () => {
    const dir = project({ namespace: 'shop', environments: clustered });
    const cwd = process.cwd();
    process.env.CDK8S_OUTDIR = mkdtempSync(join(tmpdir(), 'environments-staging-'));
    process.chdir(dir);
    try {
      Environments.fromPackageJson('.').synth(
        (app, env) => new ConfigMap(new Chart(app, 'shop'), 'settings', { data: { TAG: env.string('tag') } }),
        { gitops: GitOps.flux({ url: 'http://127.0.0.1/gitops.git' }) },
      );
    } finally {
      process.chdir(cwd);
      delete process.env.CDK8S_OUTDIR;
    }
    expect(readdirSync(join(dir, 'dist', 'gitops')).sort()).toEqual(['prod-cluster', 'staging-cluster']);
    const objects = (cluster: string) =>
      parseAllYaml(readFileSync(join(dir, 'dist', 'gitops', cluster, 'flux.k8s.yaml'), 'utf8')) as {
        kind: string;
        metadata: { name: string };
        spec: { dependsOn?: unknown };
      }[];
    expect(objects('staging-cluster').map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'GitRepository/shop',
      'Kustomization/shop-staging',
    ]);
    const prod = objects('prod-cluster');
    expect(prod.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'GitRepository/shop',
      'Kustomization/shop-platform',
      'Kustomization/shop-prod',
    ]);
    expect(prod[2].spec.dependsOn).toEqual([{ name: 'shop-platform' }]);
  });

  test('a bad cluster name, or a dependency across clusters, is an error naming the key and the fix', () => {
    const loaded = readProjectConfig(
      project({
        environments: {
          ...clustered,
          qa: { cluster: 'QA cluster' },
          preview: { cluster: 'staging-cluster', dependsOn: ['platform'] },
          self: { dependsOn: ['self'] },
        },
      }),
    );
    expect(() => resolveEnvironment(loaded, 'qa')).toThrow(
      'package.json "cdk8s-devops".environments.qa.cluster: "QA cluster" is not a cluster name; use lowercase letters, digits and \'-\' (it names the folder dist/gitops/<cluster>)',
    );
    expect(() => resolveEnvironment(loaded, 'preview')).toThrow(
      'package.json "cdk8s-devops".environments.preview.dependsOn: "platform" runs in cluster "prod-cluster", "preview" in "staging-cluster"; an engine orders only the environments of its own cluster',
    );
    expect(() => resolveEnvironment(loaded, 'self')).toThrow(
      'package.json "cdk8s-devops".environments.self.dependsOn: "self" is the environment itself; name environments that must be ready before "self"',
    );
  });
});
