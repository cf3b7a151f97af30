/**
 * The graceful stop of a server process (server/main.ts, and the bench's bypass-server.ts): on SIGTERM or SIGINT,
 * finish in-flight requests and close the store, or exit 1 after 10 s.
 */
import { stackFrames, type Logger } from './logger.ts';
import type { RunningServer } from './server.ts';

export function stopOnSignals(running: RunningServer, logger: Logger): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info('shutting down', { signal });
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      running.stop().then(
        () => process.exit(0),
        (err) => {
          logger.error('shutdown failed', { stack: stackFrames(err) });
          process.exit(1);
        },
      );
    });
  }
}
