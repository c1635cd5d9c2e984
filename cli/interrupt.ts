/**
 * SIGINT (Ctrl-C) while a command changes the cluster: the command's handler says what was done and
 * gives up the lock, then the process exits 130 as shells expect of an interrupted command.
 */
type Handler = () => Promise<void>;

const handlers = new Set<Handler>();

/** Runs `handler` on SIGINT until the returned function is called. */
export function onInterrupt(handler: Handler): () => void {
  handlers.add(handler);
  return () => handlers.delete(handler);
}

/** Installs the SIGINT listener of the process (in main.ts only). */
export function exitOnInterrupt(): void {
  process.once('SIGINT', () => {
    void Promise.allSettled([...handlers].map((h) => h())).then(() => process.exit(130));
  });
}
