/**
 * Starts and stops everything one Fhirline process runs: the store, the FHIR REST server and the MLLP listener.
 * Used by the process entry (main.ts) and by the end-to-end tests.
 */
import http from 'node:http';
import { startMllpServer, type MllpListener } from '../hl7-listener/mllp-server.ts';
import { createApp } from './app.ts';
import { answerClientError } from './http/client-error.ts';
import { resourceLimits, type Config } from './config.ts';
import type { Services } from './services.ts';
import type { Logger } from './logger.ts';
import { startPreparer } from './repository/prepare-pool.ts';
import { openStore } from './store/open-store.ts';
import { loadValidation } from './validation/validate.ts';

export interface RunningServer {
  services: Services;
  http: http.Server;
  mllp: MllpListener;
  /** Stops accepting, lets in-flight requests finish, then closes the store. */
  stop(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  // The prepare workers load their definitions while this thread loads its own (search, $validate, reindex).
  const limits = resourceLimits(config);
  const preparing = startPreparer(config.prepareWorkers, { extraProfilesDir: config.extraProfilesDir, limits });
  try {
    loadValidation(config.extraProfilesDir, limits);
  } catch (err) {
    void preparing.then((p) => p.close(), () => {});
    throw err;
  }
  const [store, preparer] = await Promise.all([openStore(config), preparing]);
  const services: Services = { config, store, logger, preparer };
  const app = createApp(services);
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerClientError); // 400/414/431 with an OperationOutcome instead of a reset
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const mllp = await startMllpServer(services);
  logger.info('fhirline started', { baseUrl: config.baseUrl, mllp: `${config.mllpHost}:${config.mllpPort}`, store: config.mongodbUri ? 'mongodb' : 'embedded' });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Messages being handled finish and get their ACK before the store closes.
      const mllpClosed = mllp.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle as their last request finishes: close each as soon as it does.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      await closed;
      clearInterval(sweep);
      await mllpClosed;
      await services.preparer.close();
      await store.close();
      logger.info('fhirline stopped');
    })());
  return { services, http: server, mllp, stop };
}
