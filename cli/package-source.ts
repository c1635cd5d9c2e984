/**
 * Where a team repository made by `init` gets cdk8s-devops from, which init pins its dependency to: the
 * public registry (the default), a tarball made by `npm pack`, a folder holding the package, or a
 * registry spec (`cdk8s-devops@1.2.0`, `@acme/cdk8s-devops@^1`, for a private registry's copy).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

export interface PackageSource {
  /** The value of `dependencies["cdk8s-devops"]` in the new repository's package.json. */
  readonly dependency: string;
  /** What it is, for messages: "the tarball ../cdk8s-devops-0.1.0.tgz". */
  readonly description: string;
}

const SPEC = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*(@[^\s@]+)?$/;

/** The source `spec` names (relative to `cwd`), as the dependency of a repository in `target`. */
export function packageSource(
  spec: string | undefined,
  cwd: string,
  target: string,
  version: string,
): PackageSource {
  if (spec === undefined) {
    return { dependency: `^${version}`, description: `cdk8s-devops@^${version} on the registry` };
  }
  const path = resolve(cwd, spec);
  if (existsSync(path)) {
    // npm resolves file: specs from the package.json's folder; a relative one keeps the repository movable.
    const dependency = `file:${relative(target, path).split(sep).join('/')}`;
    if (statSync(path).isDirectory()) {
      const pkg = join(path, 'package.json');
      if (
        !existsSync(pkg) ||
        (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name !== 'cdk8s-devops'
      ) {
        throw new Error(
          `--package ${spec}: the folder ${path} holds no package.json of cdk8s-devops. Name the package's folder, a tarball made by npm pack, or a registry spec`,
        );
      }
      return { dependency, description: `the folder ${spec}` };
    }
    if (!/\.(tgz|tar\.gz)$/.test(path)) {
      throw new Error(
        `--package ${spec}: ${path} is not a tarball (.tgz) made by npm pack. Name the tarball, the package's folder, or a registry spec`,
      );
    }
    return { dependency, description: `the tarball ${spec}` };
  }
  if (/^[./~]|\.(tgz|tar\.gz)$/.test(spec) || !SPEC.test(spec)) {
    throw new Error(
      `--package ${spec}: there is no such file or folder, and it is no registry spec. Name a tarball made by npm pack, the package's folder, or a spec such as cdk8s-devops@${version}`,
    );
  }
  const at = spec.indexOf('@', 1);
  const [name, range] = at === -1 ? [spec, 'latest'] : [spec.slice(0, at), spec.slice(at + 1)];
  return {
    // Another name is installed under ours, so the repository's imports stay `cdk8s-devops`.
    dependency: name === 'cdk8s-devops' ? range : `npm:${name}@${range}`,
    description: `${name}@${range} on the registry`,
  };
}
