/**
 * An in-process Fhirline app on a fresh embedded store in a temp directory, for supertest.
 *
 *   describe('...', () => {
 *     const { http } = useTestServer();     // before: start, after: close
 *     it('...', async () => { await http.get('/fhir/metadata'); });
 *   });
 *
 * Authorization is on, as in `npm start`: the server creates the test admin client (tokens.ts), `http` sends its
 * token, got from the token endpoint as a client gets it, with every request; `anonymous` sends none.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Koa from 'koa';
import request from 'supertest';
import { hl7Listener } from '../../hl7-listener/feature.ts';
import { createApp } from '../../server/app.ts';
import { AUTH_COLLECTIONS, authBypass, startAuth, type AppAuth } from '../../server/auth/auth.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { createEngine, type Engine, type Feature } from '../../server/engine/index.ts';
import type { Services } from '../../server/services.ts';
import { createLogger } from '../../server/logger.ts';
import { startPreparer } from '../../server/repository/prepare-pool.ts';
import { EmbeddedStore } from '../../server/store/embedded/embedded-store.ts';
import { loadDefinitions } from '../../server/validation/definitions.ts';
import { bootstrapToken, TEST_ADMIN_ENV } from './tokens.ts';

export interface TestServer {
  app: Koa;
  /** The authorization server mounted (its `context` is there unless the test asked for the bypass). */
  auth: AppAuth;
  /** `Bearer <token>` of the test admin client (client_credentials, `system/*.*`), from the token endpoint. */
  authorization: string;
  /** A supertest agent for `app` that sends `authorization` with every request. */
  http: Http;
  services: Services;
  engine: Engine;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** `bypass`: every request runs as an unrestricted system principal, no token asked (only for what tests the bypass itself). */
  auth?: 'on' | 'bypass';
  /** The clock of the authorization server (tokens, codes, keys), epoch ms. */
  now?: () => number;
}

/**
 * `features`: their collections are registered and their routes mounted as `npm start` does; they are not started
 * (a test starts the MLLP listener itself, with its own mapping or timeouts). Authorization is on, as in
 * `npm start`, with the bootstrap client TEST_ADMIN of tokens.ts (unless `env` sets BOOTSTRAP_CLIENT_ID).
 */
export async function startTestServer(
  env: Record<string, string> = {},
  features: Feature[] = [hl7Listener()],
  options: TestServerOptions = {},
): Promise<TestServer> {
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
  for (const collection of AUTH_COLLECTIONS) store.register(collection);
  for (const feature of features) for (const collection of feature.collections) store.register(collection);
  await store.open();
  const preparer = await startPreparer(config.prepareWorkers, { extraProfilesDir: config.extraProfilesDir });
  const services: Services = { config, store, logger: createLogger('silent'), preparer };
  const engine = createEngine(services);
  const auth = options.auth === 'bypass' ? authBypass() : await startAuth(services, engine, options.now);
  const app = createApp(
    services,
    auth,
    features.flatMap((f) => (f.routes ? [f.routes(engine)] : [])),
  );
  const callback = app.callback();
  const authorization = options.auth === 'bypass' ? '' : await bootstrapToken(request(callback));
  return {
    auth,
    app,
    authorization,
    http: authorizedHttp(
      () => callback,
      () => authorization,
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

/** A supertest agent over an app's callback that sends `authorization` with every request that carries none. */
export function authorizedHttp(callback: () => ReturnType<Koa['callback']>, authorization: () => string): Http {
  return request((req: IncomingMessage, res: ServerResponse) => {
    req.headers.authorization ??= authorization() || undefined;
    return callback()(req, res);
  });
}

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
export function useTestServer(env: Record<string, string> = {}, options: TestServerOptions = {}): UsedTestServer {
  let started: TestServer | undefined;
  let callback: ReturnType<Koa['callback']> | undefined;
  before(async () => {
    started = await startTestServer(env, undefined, options);
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
