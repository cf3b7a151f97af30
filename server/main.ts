/**
 * Process entry (`npm start`): configuration from the environment, the features plugged in, start, and a
 * graceful stop on SIGTERM/SIGINT that finishes in-flight requests before closing the store.
 */
import { loadConfig } from './config.ts';
import { createLogger, stackFrames } from './logger.ts';
import { hl7Listener } from '../hl7-listener/feature.ts';
import { startServer } from './server.ts';

const config = loadConfig();
const logger = createLogger(config.logLevel);

process.on('unhandledRejection', (err) =>
  logger.error('unhandled rejection', { error: String((err as Error)?.name), stack: stackFrames(err) }),
);

// The features this process runs beside the FHIR REST server (server/engine/feature.ts).
const running = await startServer(config, logger, [hl7Listener()]);
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
