import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../util/project.js';

/**
 * A project folder that runs this project's default app (main.ts) with its cdk8s.yaml, package.json
 * (the environments) and node_modules; `edit` may change the package.json first.
 */
export function defaultAppProject(edit: (pkg: any) => void = () => {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'default-app-'));
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'));
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
  edit(pkg);
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
  const config = readFileSync(join(PROJECT_ROOT, 'cdk8s.yaml'), 'utf8').replace(
    /^app: .*$/m,
    `app: node --import tsx ${join(PROJECT_ROOT, 'main.ts')}`,
  );
  writeFileSync(join(dir, 'cdk8s.yaml'), config);
  return dir;
}
