/**
 * Process entry (`npm start`): configuration from the environment, start, and a graceful stop on SIGTERM/SIGINT
 * that finishes in-flight requests before closing the store.
 */
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startServer } from './server.ts';

const config = loadConfig();
const logger = createLogger(config.logLevel);

process.on('unhandledRejection', (err) => logger.error('unhandled rejection', { error: String((err as Error)?.name), stack: (err as Error)?.stack }));

const running = await startServer(config, logger);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    running.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error('shutdown failed', { stack: (err as Error).stack });
        process.exit(1);
      },
    );
  });
}
