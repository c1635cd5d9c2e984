/** A Prometheus of a test's own, evaluating the rules under test (the harness's evaluates none). */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { binaryPath } from '../cluster/components.js';
import { freePorts } from '../cluster/control-plane.js';
import { eventually } from './cluster.js';

export interface RulesPrometheus {
  readonly url: string;
  /** Stops it and removes its files. */
  readonly stop: () => void;
}

/** Starts Prometheus with `config` and the rule `groups` on a free loopback port; resolves once it is ready. */
export async function startRulesPrometheus(
  config: Record<string, unknown>,
  groups: unknown,
  prefix: string,
): Promise<RulesPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'prometheus.yml'), YAML.stringify({ ...config, rule_files: ['rules.yaml'] }));
  writeFileSync(join(dir, 'rules.yaml'), YAML.stringify({ groups }));
  const [port] = await freePorts(1);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binaryPath('prometheus'),
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  const stop = () => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually('Prometheus to be ready', async () => {
      try {
        return (await fetch(`${url}/-/ready`)).ok || undefined;
      } catch {
        return undefined;
      }
    });
  } catch (error) {
    stop();
    throw error;
  }
  return { url, stop };
}
