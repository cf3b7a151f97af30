/**
 * An in-process Fhirline app on a fresh embedded store in a temp directory, for supertest.
 *
 *   describe('...', () => {
 *     const { http } = useTestServer();     // before: start, after: close
 *     it('...', async () => { await http.get('/fhir/metadata'); });
 *   });
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Koa from 'koa';
import request from 'supertest';
import { hl7Listener } from '../../hl7-listener/feature.ts';
import { createApp } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { createEngine, type Engine, type Feature } from '../../server/engine/index.ts';
import type { Services } from '../../server/services.ts';
import { createLogger } from '../../server/logger.ts';
import { startPreparer } from '../../server/repository/prepare-pool.ts';
import { EmbeddedStore } from '../../server/store/embedded/embedded-store.ts';
import { loadDefinitions } from '../../server/validation/definitions.ts';

export interface TestServer {
  app: Koa;
  services: Services;
  engine: Engine;
  close(): Promise<void>;
}

/**
 * `features`: their collections are registered and their routes mounted as `npm start` does; they are not started
 * (a test starts the MLLP listener itself, with its own mapping or timeouts).
 */
export async function startTestServer(env: Record<string, string> = {}, features: Feature[] = [hl7Listener()]): Promise<TestServer> {
  loadDefinitions();
  const dataDir = mkdtempSync(join(tmpdir(), 'fhirline-test-'));
  const config: Config = loadConfig({
    BASE_URL: 'http://fhir.test/fhir',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PREPARE_WORKERS: '0',
    ...env,
  });
  const store = new EmbeddedStore(dataDir);
  for (const feature of features) for (const collection of feature.collections) store.register(collection);
  await store.open();
  const preparer = await startPreparer(config.prepareWorkers, { extraProfilesDir: config.extraProfilesDir });
  const services: Services = { config, store, logger: createLogger('silent'), preparer };
  const engine = createEngine(services);
  return {
    app: createApp(
      services,
      features.flatMap((f) => (f.routes ? [f.routes(engine)] : [])),
    ),
    services,
    engine,
    async close() {
      await preparer.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A supertest agent for an in-process app. */
export type Http = ReturnType<typeof request>;

export interface UsedTestServer {
  /** The running server; only inside hooks and tests (it starts in `before`). */
  readonly server: TestServer;
  /** Usable from the `describe` body: its requests reach the app started in `before`. */
  readonly http: Http;
}

/**
 * Registers mocha `before`/`after` hooks in the enclosing `describe` that start one server with `env` and close
 * it, so each test file does not repeat them.
 */
export function useTestServer(env: Record<string, string> = {}): UsedTestServer {
  let started: TestServer | undefined;
  let callback: ReturnType<Koa['callback']> | undefined;
  before(async () => {
    started = await startTestServer(env);
    callback = started.app.callback();
  });
  after(() => started?.close());
  const notStarted = () => new Error('the test server starts in a before hook: use it inside hooks and tests');
  return {
    http: request((req: IncomingMessage, res: ServerResponse) => {
      if (!callback) throw notStarted();
      return callback(req, res);
    }),
    get server() {
      if (!started) throw notStarted();
      return started;
    },
  };
}
