/**
 * The browser harness itself (browser.ts, smart-app.ts) against a scripted stand-in for an authorization server,
 * so that a failure of test/auth-browser.test.ts points at Fhirline, not at the harness. The stand-in records
 * what fhirclient sent, which is also what Fhirline's endpoints receive from a SMART app running in a browser:
 * cross-origin requests (the app and the server have different origins, so the server must answer CORS), an
 * authorize redirect with PKCE S256 (https://hl7.org/fhir/smart-app-launch/app-launch.html#request-authorization),
 * a form-encoded token request carrying the verifier, and bearer-authenticated reads.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchChromiumOrSkip } from './browser.ts';
import { readAppResult, startSmartApp, type SmartApp } from './smart-app.ts';

interface StandIn {
  base: string;
  authorizeRequests: URLSearchParams[];
  tokenRequests: URLSearchParams[];
  close(): Promise<void>;
}

const CODE = 'code-1';
const ACCESS_TOKEN = 'access-1';

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Just enough of SMART for fhirclient: discovery, authorize (approves at once), token, Patient and Encounter reads. */
async function startStandIn(): Promise<StandIn> {
  const authorizeRequests: URLSearchParams[] = [];
  const tokenRequests: URLSearchParams[] = [];
  let origin = '';
  const json = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-headers': 'authorization, content-type', 'access-control-allow-methods': 'GET, POST' });
      return res.end();
    }
    if (url.pathname === '/fhir/.well-known/smart-configuration') {
      return json(res, 200, {
        issuer: origin,
        authorization_endpoint: `${origin}/oauth2/authorize`,
        token_endpoint: `${origin}/oauth2/token`,
        code_challenge_methods_supported: ['S256'],
        capabilities: ['launch-standalone', 'launch-ehr', 'client-public', 'context-ehr-encounter'],
      });
    }
    if (url.pathname === '/oauth2/authorize') {
      authorizeRequests.push(url.searchParams);
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', CODE);
      back.searchParams.set('state', url.searchParams.get('state')!);
      res.writeHead(303, { location: back.href });
      return res.end();
    }
    if (url.pathname === '/oauth2/token' && req.method === 'POST') {
      const form = new URLSearchParams(await body(req));
      tokenRequests.push(form);
      const ehr = authorizeRequests.at(-1)?.has('launch');
      return json(res, 200, {
        access_token: ACCESS_TOKEN,
        token_type: 'Bearer',
        expires_in: 300,
        scope: authorizeRequests.at(-1)?.get('scope'),
        patient: 'p1',
        ...(ehr ? { encounter: 'e1' } : {}),
      });
    }
    if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) return json(res, 401, { resourceType: 'OperationOutcome' });
    if (url.pathname === '/fhir/Patient/p1') return json(res, 200, { resourceType: 'Patient', id: 'p1', name: [{ family: 'Stand-In' }] });
    if (url.pathname === '/fhir/Encounter/e1') return json(res, 200, { resourceType: 'Encounter', id: 'e1', status: 'in-progress' });
    return json(res, 404, { resourceType: 'OperationOutcome' });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base: `${origin}/fhir`,
    authorizeRequests,
    tokenRequests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

describe('browser harness: fhirclient in headless Chromium against a stand-in authorization server', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let app: SmartApp | undefined;
  let standIn: StandIn | undefined;

  before(async function () {
    browser = await launchChromiumOrSkip(this);
    app = await startSmartApp();
    standIn = await startStandIn();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await standIn?.close();
  });

  it('standalone launch: authorize() sends a PKCE S256 request to the discovered endpoint, ready() exchanges the code and reads the patient', async () => {
    app!.configure({ clientId: 'app-1', scope: 'launch/patient patient/*.rs', iss: standIn!.base });
    const page = await browser!.newPage();
    await page.goto(app!.launchUrl());
    const result = await readAppResult(page);
    assert.equal(result.state, 'done', result.error);
    assert.equal(result.patient?.id, 'p1');
    assert.equal(result.patientId, 'p1');
    assert.equal(result.encounterId, null);
    assert.equal(result.tokenType, 'Bearer');

    const authorize = standIn!.authorizeRequests.at(-1)!;
    assert.equal(authorize.get('response_type'), 'code');
    assert.equal(authorize.get('client_id'), 'app-1');
    assert.equal(authorize.get('redirect_uri'), app!.redirectUri);
    assert.equal(authorize.get('aud'), standIn!.base);
    assert.equal(authorize.get('scope'), 'launch/patient patient/*.rs');
    assert.equal(authorize.get('code_challenge_method'), 'S256');
    assert.ok(authorize.get('state'));
    const token = standIn!.tokenRequests.at(-1)!;
    assert.equal(token.get('grant_type'), 'authorization_code');
    assert.equal(token.get('code'), CODE);
    assert.equal(token.get('redirect_uri'), app!.redirectUri);
    assert.equal(s256(token.get('code_verifier')!), authorize.get('code_challenge'));
    await page.close();
  });

  it('EHR launch: the launch and iss query parameters reach authorize, and the encounter in context is read', async () => {
    app!.configure({ clientId: 'app-1', scope: 'launch patient/*.rs' });
    const page = await browser!.newPage();
    await page.goto(app!.launchUrl({ launch: 'launch-1', iss: standIn!.base }));
    const result = await readAppResult(page);
    assert.equal(result.state, 'done', result.error);
    assert.equal(result.encounter?.id, 'e1');
    assert.equal(standIn!.authorizeRequests.at(-1)!.get('launch'), 'launch-1');
    await page.close();
  });
});
