/**
 * A tiny SMART app (https://hl7.org/fhir/smart-app-launch/app-launch.html) served by the test on a free port,
 * built on the SMART JavaScript client (`fhirclient` from npm, its browser build), for a real browser to run:
 *
 *   const app = await startSmartApp();                       // http://127.0.0.1:<port>
 *   // register a client whose redirect_uris is [app.redirectUri], then:
 *   app.configure({ clientId, scope: 'launch/patient patient/*.rs openid fhirUser', iss: fhirBaseUrl });
 *   await page.goto(app.launchUrl());                       // standalone launch: authorize() against iss
 *   await page.goto(app.launchUrl({ launch, iss }));         // EHR launch: iss and launch as the EHR passes them
 *   ... the authorization server's pages, then back on app.redirectUri:
 *   const result = await readAppResult(page);               // what ready() and the reads gave
 *
 * `/launch.html` calls `FHIR.oauth2.authorize()` with PKCE required; `/index.html` (the redirect_uri) calls
 * `FHIR.oauth2.ready()`, reads the patient in context and, when there is one, the encounter, and writes the
 * outcome as JSON into `<pre id="result" data-state="done|error">`. The access token never leaves the page.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Encounter, Patient } from '@medplum/fhirtypes';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './child-server.ts';

/** What the launch page passes to `FHIR.oauth2.authorize()`. */
export interface SmartAppConfig {
  clientId: string;
  /** Space-separated scopes to request. */
  scope: string;
  /** The FHIR base for a standalone launch; an EHR launch's `iss` query parameter takes precedence. */
  iss?: string;
}

/** What `/index.html` wrote after `FHIR.oauth2.ready()`: the context, the reads, and which tokens came back. */
export interface AppResult {
  state: 'done' | 'error';
  /** The error's message when state is 'error' (an authorization error redirect, a failed read, ...). */
  error?: string;
  patientId?: string | null;
  encounterId?: string | null;
  /** `client.getFhirUser()`: the id_token's fhirUser claim, e.g. `Practitioner/123`. */
  fhirUser?: string | null;
  /** The token response's `scope` (what was granted). */
  scope?: string;
  tokenType?: string;
  hasIdToken?: boolean;
  hasRefreshToken?: boolean;
  patient?: Patient;
  encounter?: Encounter;
}

export interface SmartApp {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** `<origin>/index.html`: the redirect_uri to register. */
  readonly redirectUri: string;
  /** Sets what the next `/launch.html` passes to authorize(). */
  configure(config: SmartAppConfig): void;
  /** `<origin>/launch.html` with the given query parameters (e.g. `launch` and `iss` for an EHR launch). */
  launchUrl(query?: Record<string, string>): string;
  close(): Promise<void>;
}

const FHIR_CLIENT_JS = join(REPO_ROOT, 'node_modules', 'fhirclient', 'build', 'fhir-client.js');

/** JSON safe inside a `<script>` element: `<` can never close it. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

const appPage = (title: string, script: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title><script src="/fhir-client.js"></script></head>
<body><pre id="result" data-state="pending"></pre>
<script>
function show(state, value) {
  const el = document.getElementById('result');
  el.textContent = JSON.stringify(value, null, 2);
  el.dataset.state = state;
}
function fail(e) { show('error', { error: String((e && e.message) || e) }); }
${script}
</script></body></html>`;

const launchPage = (config: SmartAppConfig, redirectUri: string) =>
  appPage(
    'launch',
    `const config = ${scriptJson({ ...config, redirectUri })};
FHIR.oauth2
  .authorize({ clientId: config.clientId, scope: config.scope, redirectUri: config.redirectUri, iss: config.iss, pkceMode: 'required' })
  .catch(fail);`,
  );

const indexPage = () =>
  appPage(
    'app',
    `FHIR.oauth2.ready().then(async (client) => {
  const token = client.state.tokenResponse || {};
  const result = {
    patientId: client.patient.id,
    encounterId: client.encounter.id,
    fhirUser: client.getFhirUser(),
    scope: token.scope,
    tokenType: token.token_type,
    hasIdToken: typeof token.id_token === 'string',
    hasRefreshToken: typeof token.refresh_token === 'string',
  };
  result.patient = await client.patient.read();
  if (client.encounter.id) result.encounter = await client.encounter.read();
  show('done', result);
}).catch(fail);`,
  );

/** Serves the app on a free port of 127.0.0.1. */
export async function startSmartApp(): Promise<SmartApp> {
  let config: SmartAppConfig | undefined;
  const fhirClientJs = readFileSync(FHIR_CLIENT_JS);
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://app').pathname;
    const html = (body: string) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
    };
    if (path === '/fhir-client.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(fhirClientJs);
    } else if (path === '/launch.html' && config) {
      html(launchPage(config, app.redirectUri));
    } else if (path === '/index.html') {
      html(indexPage());
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(path === '/launch.html' ? 'the test has not configured the app (SmartApp.configure)' : 'not found');
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app: SmartApp = {
    origin,
    redirectUri: `${origin}/index.html`,
    configure(next) {
      config = next;
    },
    launchUrl(query = {}) {
      const url = new URL('/launch.html', origin);
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
      return url.href;
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
  return app;
}

/** Waits until `/index.html` has written its result (done or error) and answers it. */
export async function readAppResult(page: Page, timeoutMs = 30_000): Promise<AppResult> {
  const result = page.locator('#result:is([data-state="done"], [data-state="error"])');
  await result.waitFor({ timeout: timeoutMs });
  const state = (await result.getAttribute('data-state')) as AppResult['state'];
  return { state, ...(JSON.parse((await result.textContent()) ?? '{}') as Omit<AppResult, 'state'>) };
}
