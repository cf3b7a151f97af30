/**
 * Process entry (`npm start`): configuration from the environment, the features plugged in, start, and a
 * graceful stop on SIGTERM/SIGINT that finishes in-flight requests before closing the store.
 */
import { loadConfig } from './config.ts';
import { createLogger, stackFrames } from './logger.ts';
import { hl7Listener } from '../hl7-listener/feature.ts';
import { startServer } from './server.ts';
import { stopOnSignals } from './stop-on-signals.ts';

const config = loadConfig();
const logger = createLogger(config.logLevel);

process.on('unhandledRejection', (err) =>
  logger.error('unhandled rejection', { error: String((err as Error)?.name), stack: stackFrames(err) }),
);

// The features this process runs beside the FHIR REST server (server/engine/feature.ts).
const running = await startServer(config, logger, [hl7Listener()]);
stopOnSignals(running, logger);
