/**
 * `init <dir>`: a team repository that uses the package's house charts and synthesizes on its first run:
 * cdk8s.yaml, package.json (with three environments), the app, one test and a README.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import type { PackageSource } from '../package-source.js';
import { packageSource } from '../package-source.js';

interface InitFlags {
  name?: string;
  install: boolean;
  package?: string;
}

interface OwnPackage {
  version: string;
  devDependencies: Record<string, string>;
}

export function registerInit(program: Command, io: CliIo): void {
  program
    .command('init')
    .description('create a team repository that uses the house charts, with dev, staging and prod')
    .argument('<dir>', 'the folder to create (absent, empty, or holding only .git)')
    .option('--name <name>', 'the project name, which prefixes its ApplySets (default: the folder name)')
    .option(
      '--package <source>',
      'where to install cdk8s-devops from: a tarball made by npm pack, the package folder, or a registry spec (default: this version on the registry)',
    )
    .option('--no-install', 'skip `npm install`')
    .exitOverride()
    .action(async (dir: string, flags: InitFlags) => {
      const target = resolve(io.cwd, dir);
      const name = flags.name ?? dnsLabel(basename(target));
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 40) {
        throw new Error(
          `the project name "${name}" must be a DNS-1123 label of at most 40 characters, since it names namespaces and ApplySets. Pass --name <name>`,
        );
      }
      // A freshly cloned empty repository holds .git alone.
      if (existsSync(target) && readdirSync(target).some((entry) => entry !== '.git')) {
        throw new Error(
          `${target} is not empty: init creates a new repository. Name a new or empty folder (a clone holding only .git is fine)`,
        );
      }
      const own = ownPackage();
      const source = packageSource(flags.package, io.cwd, target, own.version);
      writeProject(target, name, own, source);
      io.stdout.write(`created ${target}\ncdk8s-devops: ${source.dependency} (${source.description})\n`);
      if (flags.install) {
        await npmInstall(target, source, io);
        io.stdout.write(`next: cd ${dir} && npm run synth\n`);
      } else {
        io.stdout.write(`next: cd ${dir} && npm install && npm run synth\n`);
      }
    });
}

function ownPackage(): OwnPackage {
  return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as OwnPackage;
}

function writeProject(target: string, name: string, own: OwnPackage, source: PackageSource): void {
  const templates = join(packageRoot(), 'templates', 'init');
  mkdirSync(target, { recursive: true });
  for (const file of readdirSync(templates)) {
    // npm never packs a file named .gitignore, so the template's is called gitignore.
    const destination = join(target, file === 'gitignore' ? '.gitignore' : file);
    if (file === 'README.md') {
      writeFileSync(destination, readFileSync(join(templates, file), 'utf8').replaceAll('{{name}}', name));
    } else {
      copyFileSync(join(templates, file), destination);
    }
  }
  const pinned = (dependency: string) => {
    const version = own.devDependencies[dependency];
    if (version === undefined) {
      throw new Error(`cdk8s-devops's package.json names no version of ${dependency}`);
    }
    return version;
  };
  const environment = (namespace: string, settings: Record<string, unknown>) => ({ namespace, settings });
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      synth: 'cdk8s synth --no-check-upgrade',
      test: 'node --import tsx --test main.test.ts',
      typecheck: 'tsc',
    },
    'cdk8s-devops': {
      applySet: name,
      environments: {
        dev: environment(`${name}-dev`, {
          tag: '1.1.0-rc.1',
          replicas: 1,
          domain: `${name}.dev.example.com`,
          strategy: 'all-at-once',
        }),
        staging: environment(`${name}-staging`, {
          tag: '1.1.0-rc.1',
          replicas: 2,
          domain: `${name}.staging.example.com`,
        }),
        prod: environment(name, {
          tag: '1.0.0',
          replicas: 3,
          domain: `${name}.example.com`,
          strategy: 'canary',
        }),
      },
    },
    dependencies: {
      'cdk8s-devops': source.dependency,
      cdk8s: pinned('cdk8s'),
      'cdk8s-plus-27': pinned('cdk8s-plus-27'),
      constructs: pinned('constructs'),
    },
    devDependencies: {
      '@types/node': pinned('@types/node'),
      'cdk8s-cli': pinned('cdk8s-cli'),
      // cdk8s.yaml's app command bundles the app with it; tsx runs the tests.
      esbuild: pinned('esbuild'),
      tsx: pinned('tsx'),
      typescript: pinned('typescript'),
    },
  };
  writeFileSync(join(target, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
}

/** The installed package's folder: the nearest one up from this module whose package.json is ours. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dir !== dirname(dir)) {
    const file = join(dir, 'package.json');
    if (
      existsSync(file) &&
      (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'cdk8s-devops'
    ) {
      return dir;
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find the cdk8s-devops package above ${fileURLToPath(import.meta.url)}`);
}

function dnsLabel(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `npm install` in `cwd`; a package missing from the registry (E404) fails naming the way out. */
function npmInstall(cwd: string, source: PackageSource, io: CliIo): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('npm', ['install', '--no-fund', '--no-audit'], { cwd, env: io.env });
    const errors: string[] = [];
    child.stdout.pipe(io.stdout, { end: false });
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
    child.stderr.pipe(io.stderr, { end: false });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) {
        resolvePromise();
        return;
      }
      // npm 10 and 11 word it differently; both quote the spec.
      const missing = /'([^']+)' (?:could not be found|is not in this registry)/.exec(errors.join(''))?.[1];
      reject(new Error(installFailure(cwd, code, source, missing)));
    });
  });
}

/** Why init's npm install failed, and when the registry lacks cdk8s-devops, how to pin it elsewhere. */
function installFailure(cwd: string, code: number | null, source: PackageSource, missing?: string): string {
  if (missing === undefined) {
    return `npm install failed in ${cwd} (exit code ${code})`;
  }
  const failed = `npm install failed in ${cwd}: the registry has no ${missing} (E404)`;
  return missing.includes('cdk8s-devops')
    ? `${failed}. cdk8s-devops was pinned to ${source.dependency} (${source.description}); if the registry does not have it, pin it to where it is: run init again in an empty folder with --package <tarball made by npm pack, package folder or registry spec>, or set "cdk8s-devops" in ${join(cwd, 'package.json')} to "file:<path to the tarball>" and run npm install there`
    : `${failed}. Set the registry that has it in .npmrc (npm config set registry <url>), then run npm install in ${cwd}`;
}
