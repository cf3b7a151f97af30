/**
 * Issue 11: SMART Backend Services (https://hl7.org/fhir/smart-app-launch/backend-services.html): client_credentials
 * with a private_key_jwt assertion signed RS384 or ES384, keys registered inline (`jwks`) or by `jwks_uri`, and
 * every rule of the assertion (iss = sub = client_id, aud = token endpoint, exp at most 5 min, jti never reused).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { useTestServer } from './support/in-process-server.ts';
import { bootstrapToken } from './support/tokens.ts';

const TOKEN_URL = 'http://fhir.test/oauth2/token';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function keyPair(alg: 'RS384' | 'ES384', kid: string): { privateKey: KeyObject; jwk: Record<string, unknown> } {
  const { privateKey, publicKey } =
    alg === 'RS384' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-384' });
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg } };
}

describe('auth: Backend Services with private_key_jwt (issue 11)', () => {
  const { anonymous: app } = useTestServer();
  const rsa = keyPair('RS384', 'rsa-1');
  const ec = keyPair('ES384', 'ec-1');
  let jwksServer: http.Server;
  let inlineClient: string;
  let uriClient: string;

  before(async () => {
    jwksServer = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [ec.jwk] }));
    });
    await new Promise<void>((ok) => jwksServer.listen(0, '127.0.0.1', ok));
    const admin = await bootstrapToken(app);
    const register = async (body: Record<string, unknown>) => {
      const res = await app
        .post('/admin/clients')
        .set('authorization', admin)
        .send({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', scope: 'system/*.*', ...body });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.client_secret, undefined, 'no secret for private_key_jwt');
      return res.body.client_id as string;
    };
    inlineClient = await register({ jwks: { keys: [rsa.jwk] } });
    uriClient = await register({ jwks_uri: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json` });
  });

  after(() => new Promise<void>((ok) => jwksServer.close(() => ok())));

  function assertion(
    clientId: string,
    key: { privateKey: KeyObject; jwk: Record<string, unknown> },
    claims: Record<string, unknown> = {},
    kid?: string,
  ) {
    const now = Math.floor(Date.now() / 1000);
    const alg = key.jwk.alg as 'RS384' | 'ES384';
    return jwt.sign({ iss: clientId, sub: clientId, aud: TOKEN_URL, exp: now + 240, jti: randomUUID(), ...claims }, key.privateKey, {
      algorithm: alg,
      keyid: kid ?? String(key.jwk.kid),
    });
  }

  const token = (clientAssertion: string, scope = 'system/*.*') =>
    app
      .post('/oauth2/token')
      .type('form')
      .send({ grant_type: 'client_credentials', scope, client_assertion_type: ASSERTION_TYPE, client_assertion: clientAssertion });

  it('gives a token for an RS384 assertion with an inline jwks, and it reads with system scopes', async () => {
    const res = await token(assertion(inlineClient, rsa));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.scope, 'system/*.*');
    const read = await app.get('/fhir/Patient').set('authorization', `Bearer ${res.body.access_token}`);
    assert.equal(read.status, 200, JSON.stringify(read.body));
  });

  it('gives a token for an ES384 assertion whose key is at jwks_uri', async () => {
    const res = await token(assertion(uriClient, ec));
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  it('refuses a replayed assertion (the same jti)', async () => {
    const once = assertion(inlineClient, rsa);
    assert.equal((await token(once)).status, 200);
    const replay = await token(once);
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error, 'invalid_client');
    assert.match(replay.body.error_description, /jti/);
  });

  it('refuses assertions that break a rule: exp too far, expired, wrong aud, iss != sub, no jti, wrong key, HS256, none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const other = keyPair('RS384', 'rsa-1');
    const cases: [string, string][] = [
      ['exp more than 5 min ahead', assertion(inlineClient, rsa, { exp: now + 600 })],
      ['expired', assertion(inlineClient, rsa, { exp: now - 10 })],
      ['aud is the FHIR base, not the token endpoint', assertion(inlineClient, rsa, { aud: 'http://fhir.test/fhir' })],
      ['sub differs from iss', assertion(inlineClient, rsa, { sub: 'someone' })],
      ['no jti', assertion(inlineClient, rsa, { jti: undefined })],
      ['signed by another key with the same kid', assertion(inlineClient, other)],
      ['unknown kid', assertion(inlineClient, rsa, {}, 'nope')],
      ['another client’s key', assertion(uriClient, rsa, {}, 'ec-1')],
      [
        'HS256',
        jwt.sign({ iss: inlineClient, sub: inlineClient, aud: TOKEN_URL, exp: now + 60, jti: randomUUID() }, 'secret', {
          algorithm: 'HS256',
        }),
      ],
      [
        'alg none',
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: inlineClient, sub: inlineClient, aud: TOKEN_URL, exp: now + 60, jti: 'x' })).toString('base64url')}.`,
      ],
    ];
    for (const [why, a] of cases) {
      const res = await token(a);
      assert.equal(res.status, 401, `${why}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, 'invalid_client', why);
    }
    const wrongType = await app
      .post('/oauth2/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_assertion_type: 'urn:other', client_assertion: assertion(inlineClient, rsa) });
    assert.equal(wrongType.body.error, 'invalid_request');
  });

  it('narrows the scope to what the client may have', async () => {
    const res = await token(assertion(inlineClient, rsa), 'user/*.* system/*.*');
    assert.equal(res.status, 200);
    assert.equal(res.body.scope, 'system/*.*');
  });
});
