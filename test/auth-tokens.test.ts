/**
 * Issue 11: the token endpoint's client_credentials grant, the bearer check on every route that is not open, the
 * attacks on JWTs (alg none, HS256 with the public key, tampering, a foreign key, another audience, expiry),
 * revocation, introspection and key rotation, over HTTP.
 */
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { useTestServer } from './support/in-process-server.ts';
import { basicAuth, bootstrapToken, TEST_ADMIN } from './support/tokens.ts';

/** Paths that need a token (as Koa's router matches them: any case, a trailing slash), and the open ones. */
const GUARDED =
  '/fhir/Patient /fhir/Patient/1 /FHIR/Patient /fhir/Patient/ /fhir/.well-known/x /admin/clients /admin/hl7/messages /nowhere'.split(' ');
const OPEN =
  '/fhir/metadata /fhir/.well-known/smart-configuration /.well-known/openid-configuration /fhir/.well-known/openid-configuration /oauth2/jwks /healthz /readyz'.split(
    ' ',
  );
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const parts = (bearer: string) => bearer.slice('Bearer '.length).split('.');
const claimsOf = (bearer: string) => JSON.parse(Buffer.from(parts(bearer)[1], 'base64url').toString()) as Record<string, unknown>;
const headerOf = (bearer: string) => JSON.parse(Buffer.from(parts(bearer)[0], 'base64url').toString()) as Record<string, unknown>;

describe('auth: tokens and the bearer check (issue 11)', () => {
  let clock = Date.now();
  const used = useTestServer({}, { now: () => clock });
  const { anonymous: http } = used;

  async function assertRefused(authorization: string | undefined, path = '/fhir/Patient', description = true) {
    const req = http.get(path);
    if (authorization !== undefined) req.set('authorization', authorization);
    const res = await req;
    assert.equal(res.status, 401, `${path}: ${res.status} ${JSON.stringify(res.body)}`);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.equal(res.body.issue[0].code, 'login');
    const challenge = res.headers['www-authenticate'] as string;
    if (description) assert.match(challenge, /^Bearer realm="fhirline", error="invalid_token", error_description="[^"]+"$/);
    else assert.equal(challenge, 'Bearer realm="fhirline"');
  }

  it('client_credentials with client_secret_basic gives a Bearer token whose claims the bearer check needs', async () => {
    const res = await http
      .post('/oauth2/token')
      .set('authorization', basicAuth(TEST_ADMIN.clientId, TEST_ADMIN.clientSecret))
      .type('form')
      .send({ grant_type: 'client_credentials', scope: 'system/*.* launch' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.expires_in, 3600);
    assert.equal(res.body.scope, 'system/*.*', 'granted: only what the client may have');
    assert.equal(res.body.refresh_token, undefined);
    const claims = claimsOf(`Bearer ${res.body.access_token}`);
    assert.equal(claims.iss, 'http://fhir.test/fhir');
    assert.equal(claims.aud, 'http://fhir.test/fhir');
    assert.equal(claims.sub, TEST_ADMIN.clientId);
    assert.equal(claims.client_id, TEST_ADMIN.clientId);
    assert.equal(typeof claims.jti, 'string');
    assert.equal(headerOf(`Bearer ${res.body.access_token}`).alg, 'ES256');
    const read = await http.get('/fhir/Patient').set('authorization', `Bearer ${res.body.access_token}`);
    assert.equal(read.status, 200, JSON.stringify(read.body));
  });

  it('refuses a wrong secret with 401 invalid_client and WWW-Authenticate, other errors with 400 per RFC 6749 §5.2', async () => {
    const wrong = await http
      .post('/oauth2/token')
      .set('authorization', basicAuth(TEST_ADMIN.clientId, 'not-the-secret'))
      .type('form')
      .send({ grant_type: 'client_credentials' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
    assert.match(wrong.headers['www-authenticate'] as string, /^Basic realm=/);
    const post = await http
      .post('/oauth2/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: TEST_ADMIN.clientId, client_secret: TEST_ADMIN.clientSecret });
    assert.equal(post.status, 401, 'the bootstrap client registered client_secret_basic, not _post');
    const grant = await http
      .post('/oauth2/token')
      .set('authorization', basicAuth(TEST_ADMIN.clientId, TEST_ADMIN.clientSecret))
      .type('form')
      .send({ grant_type: 'password' });
    assert.equal(grant.status, 400);
    assert.equal(grant.body.error, 'unsupported_grant_type');
    assert.ok(grant.body.error_description);
    const scope = await http
      .post('/oauth2/token')
      .set('authorization', basicAuth(TEST_ADMIN.clientId, TEST_ADMIN.clientSecret))
      .type('form')
      .send({ grant_type: 'client_credentials', scope: 'user/*.*' });
    assert.equal(scope.status, 400);
    assert.equal(scope.body.error, 'invalid_scope');
    const json = await http.post('/oauth2/token').send({ grant_type: 'client_credentials' });
    assert.equal(json.status, 400);
    assert.equal(json.body.error, 'invalid_request');
  });

  it('answers 401 without an error code when no token was sent (RFC 6750 §3.1), on /fhir, /admin and feature routes', async () => {
    for (const path of GUARDED) {
      await assertRefused(undefined, path, false);
    }
    const post = await http.post('/fhir/Patient').type('application/fhir+json').send({ resourceType: 'Patient' });
    assert.equal(post.status, 401);
    const metadataPost = await http.post('/fhir/metadata');
    assert.equal(metadataPost.status, 401, 'only GET /fhir/metadata is open');
  });

  it('serves the open paths without a token', async () => {
    for (const path of OPEN) {
      const res = await http.get(path);
      assert.equal(res.status, 200, path);
    }
  });

  it('refuses malformed, alg none, HS256-with-the-public-key, tampered, foreign-key and wrong-audience tokens', async () => {
    const good = await bootstrapToken(http);
    const [header, payload, signature] = parts(good);
    await assertRefused('Bearer');
    await assertRefused('Basic abc');
    await assertRefused('Bearer not-a-jwt');
    const claims = claimsOf(good);
    await assertRefused(`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`);
    await assertRefused(`Bearer ${b64({ ...headerOf(good), alg: 'none' })}.${payload}.`);
    // HS256 keyed with the published public key (the classic algorithm confusion).
    const jwks = (await http.get('/oauth2/jwks')).body as { keys: Record<string, unknown>[] };
    const hsHeader = b64({ alg: 'HS256', typ: 'JWT', kid: headerOf(good).kid });
    const pem = createPublicKey({ key: jwks.keys[0] as JsonWebKey, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    for (const secret of [pem, JSON.stringify(jwks.keys[0]), String(jwks.keys[0].x)]) {
      const mac = createHmac('sha256', secret).update(`${hsHeader}.${payload}`).digest('base64url');
      await assertRefused(`Bearer ${hsHeader}.${payload}.${mac}`);
    }
    await assertRefused(`Bearer ${header}.${b64({ ...claims, sub: 'someone-else' })}.${signature}`);
    const foreign = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await assertRefused(`Bearer ${jwt.sign(claims, foreign, { algorithm: 'ES256', keyid: String(headerOf(good).kid) })}`);
    const keys = used.server.auth.context!.keys;
    await assertRefused(`Bearer ${await keys.sign({ ...claims, aud: 'http://other.test/fhir' })}`);
    await assertRefused(`Bearer ${await keys.sign({ ...claims, iss: 'http://other.test/fhir' })}`);
    const ok = await http.get('/fhir/Patient').set('authorization', `Bearer ${await keys.sign({ ...claims })}`);
    assert.equal(ok.status, 200, 'the same claims signed by the server pass');
  });

  it('refuses an expired token', async () => {
    const token = await bootstrapToken(http);
    assert.equal((await http.get('/fhir/Patient').set('authorization', token)).status, 200);
    clock += 3601_000;
    try {
      await assertRefused(token);
    } finally {
      clock = Date.now();
    }
  });

  it('revocation (RFC 7009) kills an access token at once; introspection (RFC 7662) says active or not', async () => {
    const token = await bootstrapToken(http);
    const basic = basicAuth(TEST_ADMIN.clientId, TEST_ADMIN.clientSecret);
    const call = (endpoint: string, value: string) => http.post(endpoint).set('authorization', basic).type('form').send({ token: value });
    const before = await call('/oauth2/introspect', parts(token).join('.'));
    assert.equal(before.status, 200);
    assert.equal(before.body.active, true);
    assert.equal(before.body.client_id, TEST_ADMIN.clientId);
    assert.equal(before.body.scope, 'system/*.*');
    assert.equal((await http.get('/fhir/Patient').set('authorization', token)).status, 200);
    const revoked = await call('/oauth2/revoke', parts(token).join('.'));
    assert.equal(revoked.status, 200);
    await assertRefused(token);
    const after = await call('/oauth2/introspect', parts(token).join('.'));
    assert.deepEqual(after.body, { active: false });
    const unknown = await call('/oauth2/revoke', 'nothing');
    assert.equal(unknown.status, 200);
    const anonymous = await http.post('/oauth2/introspect').type('form').send({ token: 'x' });
    assert.equal(anonymous.status, 401);
  });

  it('rotates the signing key: the new key signs, tokens of the old one verify until they expire', async () => {
    const old = await bootstrapToken(http);
    const rotated = await http.post('/admin/keys/$rotate').set('authorization', old);
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const fresh = await bootstrapToken(http);
    assert.equal(headerOf(fresh).kid, rotated.body.kid);
    assert.notEqual(headerOf(old).kid, headerOf(fresh).kid);
    const kids = ((await http.get('/oauth2/jwks')).body.keys as { kid: string; d?: string }[]).map((k) => {
      assert.equal(k.d, undefined, 'public parts only');
      return k.kid;
    });
    assert.ok(kids.includes(String(headerOf(old).kid)) && kids.includes(rotated.body.kid));
    assert.equal((await http.get('/fhir/Patient').set('authorization', old)).status, 200);
    clock += 3661_000; // the token lifetime, and the minute another process may take to see the rotation
    try {
      const later = ((await http.get('/oauth2/jwks')).body.keys as { kid: string }[]).map((k) => k.kid);
      assert.deepEqual(later, [rotated.body.kid], 'the retired key is gone once its tokens have expired');
    } finally {
      clock = Date.now();
    }
  });

  it('publishes smart-configuration, openid-configuration and the CapabilityStatement security', async () => {
    const smart = (await http.get('/fhir/.well-known/smart-configuration')).body;
    assert.equal(smart.issuer, 'http://fhir.test/fhir');
    assert.equal(smart.token_endpoint, 'http://fhir.test/oauth2/token');
    assert.equal(smart.authorization_endpoint, 'http://fhir.test/oauth2/authorize');
    assert.equal(smart.jwks_uri, 'http://fhir.test/oauth2/jwks');
    assert.equal(smart.introspection_endpoint, 'http://fhir.test/oauth2/introspect');
    assert.equal(smart.revocation_endpoint, 'http://fhir.test/oauth2/revoke');
    assert.deepEqual(smart.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(smart.token_endpoint_auth_signing_alg_values_supported, ['RS384', 'ES384']);
    assert.deepEqual([...smart.token_endpoint_auth_methods_supported].sort(), [
      'client_secret_basic',
      'client_secret_post',
      'none',
      'private_key_jwt',
    ]);
    for (const c of [
      'launch-ehr',
      'launch-standalone',
      'client-confidential-asymmetric',
      'permission-v2',
      'sso-openid-connect',
      'authorize-post',
    ]) {
      assert.ok(smart.capabilities.includes(c), c);
    }
    for (const key of ['grant_types_supported', 'scopes_supported', 'response_types_supported']) assert.ok(Array.isArray(smart[key]), key);
    const oidc = (await http.get('/.well-known/openid-configuration')).body;
    assert.equal(oidc.issuer, smart.issuer);
    assert.deepEqual((await http.get('/fhir/.well-known/openid-configuration')).body, oidc);
    const security = (await http.get('/fhir/metadata')).body.rest[0].security;
    assert.equal(security.service[0].coding[0].code, 'SMART-on-FHIR');
    assert.equal(security.service[0].coding[0].system, 'http://terminology.hl7.org/CodeSystem/restful-security-service');
    const uris = security.extension[0];
    assert.equal(uris.url, 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris');
    assert.deepEqual(
      uris.extension.find((e: { url: string }) => e.url === 'token'),
      { url: 'token', valueUri: 'http://fhir.test/oauth2/token' },
    );
  });
});
