/**
 * An in-process Fhirline app on a fresh embedded store in a temp directory, for supertest.
 *
 *   describe('...', () => {
 *     const { http } = useTestServer();     // before: start, after: close
 *     it('...', async () => { await http.get('/fhir/metadata'); });
 *   });
 *
 * Authorization is on, as in `npm start`: the server creates the test admin client (tokens.ts), `http` sends its
 * token with every request (a client holding a token), `anonymous` sends none.
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
import { basicAuthorization, TEST_ADMIN, TEST_ADMIN_ENV } from './tokens.ts';

export interface TestServer {
  app: Koa;
  /** `Bearer <token>` of the test admin client (client_credentials, `system/*.*`), got from the token endpoint. */
  authorization: string;
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
    ...TEST_ADMIN_ENV,
    ...env,
  });
  const store = new EmbeddedStore(dataDir);
  for (const feature of features) for (const collection of feature.collections) store.register(collection);
  await store.open();
  const preparer = await startPreparer(config.prepareWorkers, { extraProfilesDir: config.extraProfilesDir });
  const services: Services = { config, store, logger: createLogger('silent'), preparer };
  const engine = createEngine(services);
  const app = createApp(
    services,
    features.flatMap((f) => (f.routes ? [f.routes(engine)] : [])),
  );
  return {
    app,
    authorization: await inProcessAuthorization(app),
    services,
    engine,
    async close() {
      await preparer.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The test admin's token from the app's token endpoint, as a client gets it (RFC 6749 §4.4). */
async function inProcessAuthorization(app: Koa): Promise<string> {
  const res = await request(app.callback())
    .post('/oauth2/token')
    .set('authorization', basicAuthorization(TEST_ADMIN.clientId, TEST_ADMIN.clientSecret))
    .type('form')
    .send({ grant_type: 'client_credentials', scope: 'system/*.*' });
  if (res.status !== 200) throw new Error(`the test admin client got no token (${res.status}): ${res.text}`);
  return `Bearer ${(res.body as { access_token: string }).access_token}`;
}

/** A supertest agent over an app's callback that sends `authorization` with every request that has none. */
export function authorizedHttp(callback: () => ReturnType<Koa['callback']>, authorization: () => string): Http {
  return request((req: IncomingMessage, res: ServerResponse) => {
    req.headers.authorization ??= authorization();
    return callback()(req, res);
  });
}

/** A supertest agent for an in-process app. */
export type Http = ReturnType<typeof request>;

export interface UsedTestServer {
  /** The running server; only inside hooks and tests (it starts in `before`). */
  readonly server: TestServer;
  /** Usable from the `describe` body: its requests reach the app started in `before`, with the test admin's token. */
  readonly http: Http;
  /** The same app, requests without a token. */
  readonly anonymous: Http;
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
  const app = () => {
    if (!callback) throw notStarted();
    return callback;
  };
  return {
    http: authorizedHttp(app, () => started!.authorization),
    anonymous: request((req: IncomingMessage, res: ServerResponse) => app()(req, res)),
    get server() {
      if (!started) throw notStarted();
      return started;
    },
  };
}
