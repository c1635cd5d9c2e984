/**
 * No import circles in the product's tree (issue 26): neither between files (type imports included: a
 * reader follows them too) nor between its modules (`lib/<practice>`, `client/<stage>`, `cli`, `charts`),
 * where a practice that imports another's file while that one reaches back through a third is a circle
 * too, though no file imports itself back. dpdm reads the imports.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DependencyTree } from 'dpdm';
import { PROJECT_ROOT } from '../util/project.js';

const TREE = ['lib', 'client', 'cli', 'charts'];

/**
 * The module a file belongs to: `lib/<practice>` for a practice's files and `client/<stage>` for a
 * stage's, a file of `lib/` or `client/` itself (the app, the release, the indexes above them) on its
 * own, else its top folder.
 */
function moduleOf(file: string): string | undefined {
  const parts = file.split('/');
  if (!TREE.includes(parts[0])) {
    return undefined;
  }
  if (parts[0] === 'lib' || parts[0] === 'client') {
    return parts.length > 2 ? `${parts[0]}/${parts[1]}` : file;
  }
  return parts[0];
}

/** Each import from one module into another: `from` -> `to` -> the files of the first such import. */
function moduleImports(tree: DependencyTree): Map<string, Map<string, string>> {
  const imports = new Map<string, Map<string, string>>();
  for (const [file, dependencies] of Object.entries(tree).sort(([a], [b]) => a.localeCompare(b))) {
    const from = moduleOf(file);
    for (const { id } of dependencies ?? []) {
      const to = id === null ? undefined : moduleOf(id);
      if (from && to && from !== to) {
        const targets = imports.get(from) ?? new Map<string, string>();
        imports.set(from, targets.set(to, targets.get(to) ?? `${file} -> ${id}`));
      }
    }
  }
  return imports;
}

/** The modules that reach each other (strongly connected, Tarjan), each group with the imports inside it. */
function moduleCircles(imports: Map<string, Map<string, string>>): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const groups: string[][] = [];
  const visit = (module: string): void => {
    index.set(module, index.size);
    low.set(module, index.get(module)!);
    stack.push(module);
    for (const next of imports.get(module)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(module, Math.min(low.get(module)!, low.get(next)!));
      } else if (stack.includes(next)) {
        low.set(module, Math.min(low.get(module)!, index.get(next)!));
      }
    }
    if (low.get(module) === index.get(module)) {
      const group = stack.splice(stack.indexOf(module));
      if (group.length > 1) {
        groups.push(group.sort());
      }
    }
  };
  [...imports.keys()].sort().forEach((module) => index.has(module) || visit(module));
  return groups.map((group) =>
    group
      .flatMap((from) =>
        group.filter((to) => imports.get(from)?.has(to)).map((to) => imports.get(from)!.get(to)!),
      )
      .join('; '),
  );
}

let tree: DependencyTree;
let fileCircles: string[][];

// dpdm's command, not its module: its CommonJS build requires an ES-module-only chalk, which Jest's
// module loader cannot.
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'import-circles-'));
  try {
    const output = join(dir, 'dpdm.json');
    const globs = TREE.map((folder) => `${folder}/**/*.ts`);
    const options = ['--no-tree', '--no-circular', '--no-warning', '--no-progress', '--output', output];
    await promisify(execFile)(join(PROJECT_ROOT, 'node_modules', '.bin', 'dpdm'), [...options, ...globs], {
      cwd: PROJECT_ROOT,
    });
    ({ tree, circulars: fileCircles } = JSON.parse(await readFile(output, 'utf8')) as {
      tree: DependencyTree;
      circulars: string[][];
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the tree was read whole', () => {
  expect(Object.keys(tree)).toEqual(
    expect.arrayContaining(['lib/index.ts', 'client/index.ts', 'cli/main.ts']),
  );
  expect(Object.keys(tree).length).toBeGreaterThan(150);
});

test('no file of lib/, client/, cli/ or charts/ imports itself back', () => {
  expect(fileCircles.map((circle) => circle.join(' -> '))).toEqual([]);
});

test('no module of lib/, client/, cli/ or charts/ imports itself back through another', () => {
  expect(moduleCircles(moduleImports(tree))).toEqual([]);
});

test('a circle between modules is found, with the imports that make it', () => {
  const imports = new Map([
    ['lib/delivery', new Map([['lib/monitoring', 'lib/delivery/a.ts -> lib/monitoring/alarm.ts']])],
    ['lib/monitoring', new Map([['lib/apps', 'lib/monitoring/m.ts -> lib/apps/index.ts']])],
    ['lib/apps', new Map([['lib/delivery', 'lib/apps/w.ts -> lib/delivery/index.ts']])],
    ['lib/core', new Map([['lib/apps', 'lib/core/x.ts -> lib/apps/index.ts']])],
  ]);
  expect(moduleCircles(imports)).toEqual([
    'lib/apps/w.ts -> lib/delivery/index.ts; lib/delivery/a.ts -> lib/monitoring/alarm.ts; lib/monitoring/m.ts -> lib/apps/index.ts',
  ]);
});
