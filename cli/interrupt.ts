/**
 * SIGINT (Ctrl-C) or SIGTERM (kill, a CI job cancelled) while a command changes the cluster: the
 * command's handler stops it, says what was done and gives up the lock, then the process exits 130 (or
 * 143) as shells expect of an interrupted command.
 */
type Handler = () => Promise<void>;

const handlers = new Set<Handler>();

/** Runs `handler` on SIGINT or SIGTERM until the returned function is called. */
export function onInterrupt(handler: Handler): () => void {
  handlers.add(handler);
  return () => handlers.delete(handler);
}

/** The exit codes of a process ended by a signal: 128 + the signal's number. */
const SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Installs the SIGINT and SIGTERM listeners of the process (in main.ts only); a second signal ends the
 * process at once, for a handler that cannot finish.
 */
export function exitOnInterrupt(): void {
  let interrupted = false;
  for (const [signal, code] of Object.entries(SIGNALS)) {
    process.on(signal, () => {
      if (interrupted) {
        process.exit(code);
      }
      interrupted = true;
      void Promise.allSettled([...handlers].map((h) => h())).then(() => process.exit(code));
    });
  }
}
