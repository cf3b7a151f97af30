/**
 * Ctrl-C (or SIGTERM) of the bench takes down what it started: each child process registers a clean-up here
 * (kill it, delete its temporary store), run on the signal before exiting with 130.
 */
const cleanups = new Set<() => void>();
let installed = false;

/** Registers `cleanup` for an interrupt; returns the function that unregisters it. */
export function onInterrupt(cleanup: () => void): () => void {
  if (!installed) {
    installed = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        for (const fn of cleanups) {
          try {
            fn();
          } catch {
            // keep going: the others still need cleaning
          }
        }
        process.exit(130);
      });
    }
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
