import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../util/project.js';
import { FIXTURES } from './fixture/fixture-app.js';

// The fixture app uses every strategy, preset and workload option; the default app is main.ts's chart.
// Their committed output is what the library produced before a refactoring; any change of output must
// be deliberate, and regenerated with `npx tsx test/apps/fixture/fixture-app.ts --write`.
test.each(Object.entries(FIXTURES))('%s synthesizes byte for byte as committed', (file, build) => {
  const committed = readFileSync(join(PROJECT_ROOT, 'test/apps/fixture', file), 'utf8');
  expect(build().synthYaml()).toBe(committed);
});
