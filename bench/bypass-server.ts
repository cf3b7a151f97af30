/**
 * Bench-only process entry: `server/main.ts` with authorization bypassed in process (every request runs
 * unrestricted, no token asked), the baseline of the `auth` benchmark (issue 11 "Performance"). Never shipped:
 * `npm start` runs server/main.ts, and no environment variable reaches `bypassAuthorization`.
 *
 *   node --import tsx bench/bypass-server.ts   (start-server.ts does this with `bypassAuthorization: true`)
 */
import { hl7Listener } from '../hl7-listener/feature.ts';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';
import { startServer } from '../server/server.ts';
import { stopOnSignals } from '../server/stop-on-signals.ts';

const config = loadConfig();
const logger = createLogger(config.logLevel);
logger.warn('authorization bypassed: bench only');

const running = await startServer(config, logger, [hl7Listener()], { bypassAuthorization: true });
stopOnSignals(running, logger);
