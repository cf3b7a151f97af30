/**
 * For the authorize tests: a small Koa app with the authorize router over a fresh embedded store, the principal
 * set by a header (`X-Test-Principal: admin | client`, as the bearer middleware would), and fixtures written to
 * the store directly, with a browser-like agent that keeps the session cookie.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import request from 'supertest';
import { NO_ACCESS } from '../../../access/access.ts';
import { loadConfig } from '../../../config.ts';
import { createEngine, systemPrincipal, type Engine, type JsonValue, type StoredDocument } from '../../../engine/index.ts';
import { errorHandler } from '../../../http/errors.ts';
import { setPrincipal } from '../../../http/principal.ts';
import { createLogger } from '../../../logger.ts';
import { startPreparer } from '../../../repository/prepare-pool.ts';
import type { Services } from '../../../services.ts';
import { EmbeddedStore } from '../../../store/embedded/embedded-store.ts';
import { loadDefinitions } from '../../../validation/definitions.ts';
import { AUTH_CLIENTS, AUTH_USERS, type ClientDocument, type UserDocument } from '../../documents.ts';
import { hashSecret } from '../../secret-hash.ts';
import { authorizeRouter } from '../routes.ts';
import { AUTH_COLLECTIONS } from '../../auth-collections.ts';

export const BASE_URL = 'http://fhir.test/fhir';
export const REDIRECT_URI = 'https://app.example/callback';
export const PASSWORD = 'correct horse battery';

export interface AuthorizeApp {
  engine: Engine;
  server: Server;
  /** A fresh browser: its own cookie jar. */
  browser(): ReturnType<typeof request.agent>;
  close(): Promise<void>;
}

export async function startAuthorizeApp(baseUrl = BASE_URL): Promise<AuthorizeApp> {
  loadDefinitions();
  const dataDir = mkdtempSync(join(tmpdir(), 'fhirline-authorize-'));
  const config = loadConfig({ BASE_URL: baseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'silent', PREPARE_WORKERS: '0' });
  const store = new EmbeddedStore(dataDir);
  for (const spec of AUTH_COLLECTIONS) store.register(spec);
  await store.open();
  const preparer = await startPreparer(0, {});
  const logger = createLogger('silent');
  const services: Services = { config, store, logger, preparer };
  const engine = createEngine(services);
  const app = new Koa();
  app.silent = true;
  app.use(errorHandler(logger));
  app.use(async (ctx, next) => {
    const who = ctx.get('x-test-principal');
    if (who === 'admin') setPrincipal(ctx, systemPrincipal('test-admin'));
    if (who === 'client') setPrincipal(ctx, { kind: 'client', name: 'client/viewer', access: NO_ACCESS });
    await next();
  });
  app.use(authorizeRouter(services, engine).routes());
  const server = createServer(app.callback());
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    engine,
    server,
    browser: () => request.agent(server),
    async close() {
      await new Promise((ok) => server.close(ok));
      await preparer.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function addClient(engine: Engine, client: Partial<ClientDocument> & { _id: string }): Promise<void> {
  await insert<ClientDocument>(engine, AUTH_CLIENTS, {
    client_name: 'Growth Chart',
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
    scope: 'openid fhirUser launch launch/patient offline_access patient/Observation.rs patient/Patient.r',
    admin: false,
    ...client,
  });
}

export async function addUser(
  engine: Engine,
  user: Partial<UserDocument> & { _id: string; username: string; fhirUser: string },
): Promise<void> {
  await insert<UserDocument>(engine, AUTH_USERS, {
    usernameKey: user.username.toLowerCase(),
    passwordHash: await hashSecret(PASSWORD),
    role: user.fhirUser.startsWith('Patient/') ? 'patient' : 'doctor',
    active: true,
    ...user,
  });
}

/** A fixture written as the admin API would, stamped `created`/`updated` now. */
async function insert<T extends StoredDocument & { created: string; updated: string }>(
  engine: Engine,
  name: string,
  doc: Omit<T, 'created' | 'updated'>,
): Promise<void> {
  const now = new Date().toISOString();
  const collection = engine.collection<T>(name);
  await collection.write([collection.insert({ created: now, updated: now, ...doc } as T)]);
}

export async function putResources(engine: Engine, resources: Record<string, JsonValue>[]): Promise<void> {
  await engine.transaction(
    systemPrincipal('test'),
    resources.map((resource) => ({ resource, request: { method: 'PUT', url: `${String(resource.resourceType)}/${String(resource.id)}` } })),
  );
}

/** A PKCE pair (RFC 7636 §4.1, §4.2). */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The query of an authorize request that passes every check, with `overrides` (undefined removes one). */
export function authorizeQuery(overrides: Record<string, string | undefined> = {}): string {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: 'growth-chart',
    redirect_uri: REDIRECT_URI,
    scope: 'openid fhirUser launch/patient patient/Observation.rs',
    state: 'st-123',
    aud: BASE_URL,
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) query.append(k, v);
  return query.toString();
}

/** The CSRF token of the page's (first) form. */
export function csrfOf(page: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(page);
  if (!m) throw new Error('no CSRF field on the page');
  return m[1]!;
}
