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

interface InitFlags {
  name?: string;
  install: boolean;
}

interface OwnPackage {
  version: string;
  devDependencies: Record<string, string>;
}

export function registerInit(program: Command, io: CliIo): void {
  program
    .command('init')
    .description('create a team repository that uses the house charts, with dev, staging and prod')
    .argument('<dir>', 'the folder to create (it must be empty or absent)')
    .option('--name <name>', 'the project name, which prefixes its ApplySets (default: the folder name)')
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
      if (existsSync(target) && readdirSync(target).length > 0) {
        throw new Error(`${target} is not empty: init creates a new repository. Name a new or empty folder`);
      }
      writeProject(target, name);
      io.stdout.write(`created ${target}\n`);
      if (flags.install) {
        await npmInstall(target, io);
        io.stdout.write(`next: cd ${dir} && npm run synth\n`);
      } else {
        io.stdout.write(`next: cd ${dir} && npm install && npm run synth\n`);
      }
    });
}

function writeProject(target: string, name: string): void {
  const root = packageRoot();
  const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as OwnPackage;
  const templates = join(root, 'templates', 'init');
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
      'cdk8s-devops': `^${own.version}`,
      cdk8s: pinned('cdk8s'),
      'cdk8s-plus-27': pinned('cdk8s-plus-27'),
      constructs: pinned('constructs'),
    },
    devDependencies: {
      '@types/node': pinned('@types/node'),
      'cdk8s-cli': pinned('cdk8s-cli'),
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

function npmInstall(cwd: string, io: CliIo): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('npm', ['install', '--no-fund', '--no-audit'], { cwd, env: io.env });
    child.stdout.pipe(io.stdout, { end: false });
    child.stderr.pipe(io.stderr, { end: false });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`npm install failed in ${cwd} (exit code ${code})`)),
    );
  });
}
