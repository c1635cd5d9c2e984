import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCrds } from '../../scripts/import-crds.js';
import { PROJECT_ROOT } from '../util/project.js';

test("imports/ is what `npm run import` generates from the CRDs of each project's pinned Go module", async () => {
  const fresh = mkdtempSync(join(tmpdir(), 'imports-fresh-'));
  try {
    await importCrds(fresh);
    const committed = join(PROJECT_ROOT, 'imports');
    expect(readdirSync(committed).sort()).toEqual(readdirSync(fresh).sort());
    for (const file of readdirSync(fresh)) {
      // toBe on whole files would print megabytes on a mismatch; name the stale file instead.
      const same = readFileSync(join(committed, file), 'utf8') === readFileSync(join(fresh, file), 'utf8');
      expect({ file, upToDate: same }).toEqual({ file, upToDate: true });
    }
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}, 120_000);
