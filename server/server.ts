/**
 * Starts and stops everything one Fhirline process runs: the store, the FHIR REST server and the features plugged
 * in (server/engine/feature.ts; main.ts plugs in the HL7 listener). Used by the process entry and the tests.
 */
import http from 'node:http';
import { createApp } from './app.ts';
import { configuredRolePolicies } from './access/role-policy.ts';
import { AUTH_COLLECTIONS, authBypass, startAuth } from './auth/auth.ts';
import { answerClientError } from './http/client-error.ts';
import { resourceLimits, type Config } from './config.ts';
import { createEngine, type Engine } from './engine/engine.ts';
import type { Feature, RunningFeature } from './engine/feature.ts';
import type { Services } from './services.ts';
import type { Logger } from './logger.ts';
import { startPreparer } from './repository/prepare-pool.ts';
import { openStore } from './store/open-store.ts';
import { loadValidation } from './validation/validate.ts';

export interface RunningServer {
  services: Services;
  engine: Engine;
  http: http.Server;
  /** Stops accepting, lets in-flight requests finish, then closes the store. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /**
   * Benchmarks only (issue 11's authorized-vs-unauthorized figures): every request runs unrestricted, no token
   * asked. `server/main.ts` never sets it and no environment variable reaches it.
   */
  bypassAuthorization?: boolean;
}

export async function startServer(
  config: Config,
  logger: Logger,
  features: Feature[] = [],
  options: StartOptions = {},
): Promise<RunningServer> {
  // The prepare workers load their definitions while this thread loads its own (search, $validate, reindex).
  const limits = resourceLimits(config);
  const preparing = startPreparer(config.prepareWorkers, { extraProfilesDir: config.extraProfilesDir, limits });
  try {
    loadValidation(config.extraProfilesDir, limits);
    // A site's ROLE_POLICIES file that does not check out stops the start, not the first request.
    configuredRolePolicies();
  } catch (err) {
    void preparing.then(
      (p) => p.close(),
      () => {},
    );
    throw err;
  }
  const collections = [...AUTH_COLLECTIONS, ...features.flatMap((f) => f.collections)];
  const [store, preparer] = await Promise.all([openStore(config, collections), preparing]);
  const services: Services = { config, store, logger, preparer };
  const engine = createEngine(services);
  const auth = options.bypassAuthorization ? authBypass() : await startAuth(services, engine);
  const app = createApp(
    services,
    auth,
    features.flatMap((f) => (f.routes ? [f.routes(engine)] : [])),
  );
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerClientError); // 400/414/431 with an OperationOutcome instead of a reset
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const running: RunningFeature[] = [];
  for (const feature of features) if (feature.start) running.push(await feature.start(engine));
  logger.info('fhirline started', {
    baseUrl: config.baseUrl,
    mllp: `${config.mllpHost}:${config.mllpPort}`,
    store: config.mongodbUri ? 'mongodb' : 'embedded',
    preparer: preparer.name,
  });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Features finish their work in flight (an MLLP message gets its ACK) before the store closes.
      const featuresClosed = Promise.all(running.map((f) => f.close()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle as their last request finishes: close each as soon as it does.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      await closed;
      clearInterval(sweep);
      await featuresClosed;
      await services.preparer.close();
      await store.close();
      logger.info('fhirline stopped');
    })());
  return { services, engine, http: server, stop };
}
