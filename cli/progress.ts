/**
 * Showing progress: on a terminal, one live line per object with a spinner (log-update redraws them in
 * place); elsewhere (CI logs), one timestamped line per change.
 */
import cliSpinners from 'cli-spinners';
import { createLogUpdate } from 'log-update';
import type { ObjectEvent, ObjectStatus, Readiness } from '../client/index.js';
import { describeEvent } from '../client/index.js';

export interface ProgressView {
  readonly status: (status: ObjectStatus) => void;
  readonly event: (event: ObjectEvent) => void;
  /** A line of its own, such as a step of the command. */
  readonly note: (text: string) => void;
  /** Draws the final state and stops redrawing. */
  readonly stop: () => void;
}

export interface ProgressOptions {
  /** Where to write. */
  readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  /**
   * Live view (true) or timestamped lines (false).
   *
   * @default - live when the stream is a terminal
   */
  readonly live?: boolean;
  /**
   * The clock of timestamped lines.
   *
   * @default - the current time
   */
  readonly now?: () => Date;
}

export function createProgress(options: ProgressOptions): ProgressView {
  return (options.live ?? options.stream.isTTY === true)
    ? liveProgress(options.stream)
    : plainProgress(options);
}

/** How a state reads: the kind's own phase if it has one (Healthy, Paused, ...), else the state. */
export function describeReadiness(readiness: Readiness, outcome?: ObjectStatus['outcome']): string {
  const phase = outcome === 'timed-out' ? 'timed out' : (readiness.phase ?? readiness.state);
  return readiness.message && readiness.message !== readiness.state
    ? `${phase}: ${readiness.message}`
    : phase;
}

function plainProgress(options: ProgressOptions): ProgressView {
  const now = options.now ?? (() => new Date());
  const write = (text: string) => options.stream.write(`${now().toISOString()} ${text}\n`);
  return {
    status: (s) => write(`${s.ref} ${describeReadiness(s.readiness, s.outcome)}`),
    event: (e) => write(`${e.ref} event ${e.type} ${describeEvent(e)}`),
    note: write,
    stop: () => {},
  };
}

const ICONS = { ready: '✔', failed: '✖', 'timed-out': '⌛' } as const;

function liveProgress(stream: NodeJS.WritableStream): ProgressView {
  const draw = createLogUpdate(stream, { showCursor: false });
  const { frames, interval } = cliSpinners.dots;
  const rows = new Map<string, ObjectStatus>();
  let frame = 0;
  const render = () => {
    const width = Math.max(0, ...[...rows.keys()].map((r) => r.length));
    draw(
      [...rows.values()]
        .map(
          (s) =>
            `${s.outcome ? ICONS[s.outcome] : frames[frame % frames.length]} ${s.ref.padEnd(width)}  ${describeReadiness(s.readiness, s.outcome)}`,
        )
        .join('\n'),
    );
  };
  const timer = setInterval(() => {
    frame++;
    render();
  }, interval);
  const above = (text: string) => {
    // Lines printed above the live block stay in the scrollback.
    draw.clear();
    stream.write(`${text}\n`);
    render();
  };
  return {
    status: (s) => {
      rows.set(s.ref, s);
      render();
    },
    event: (e) => above(`  ${e.type === 'Warning' ? '⚠' : '·'} ${e.ref} ${describeEvent(e)}`),
    note: above,
    stop: () => {
      clearInterval(timer);
      render();
      draw.done();
    },
  };
}
