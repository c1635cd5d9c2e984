/**
 * Stopping the control plane's processes by pid: from the process that started them, from another one
 * (`npm run cluster:down`), or from a watchdog once the process that started them is gone.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** Sends `signal` to the process group of `pid` (each component leads its own group). */
export function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Whether a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL if the process is still there after 10 seconds. */
export async function terminate(pid: number): Promise<void> {
  if (!killGroup(pid, 'SIGTERM')) {
    return;
  }
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) {
    await sleep(100);
  }
  killGroup(pid, 'SIGKILL');
  while (isAlive(pid)) {
    await sleep(50);
  }
}

/**
 * A detached process that kills every process `dataDir/state.json` lists, and removes `dataDir`, once the
 * process that started it is gone.
 */
export function startWatchdog(dataDir: string): ChildProcess {
  const script = `
      const { readFileSync, rmSync } = require('node:fs');
      const [parent, dataDir] = process.argv.slice(1);
      const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
      setInterval(() => {
        if (alive(Number(parent))) return;
        try {
          const { pids } = JSON.parse(readFileSync(dataDir + '/state.json', 'utf8'));
          for (const pid of Object.values(pids)) { try { process.kill(-pid, 'SIGKILL'); } catch {} }
        } catch {}
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      }, 500);`;
  const watchdog = spawn(process.execPath, ['-e', script, String(process.pid), dataDir], {
    stdio: 'ignore',
    detached: true,
  });
  watchdog.unref();
  return watchdog;
}
