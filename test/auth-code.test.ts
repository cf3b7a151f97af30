/**
 * Issue 11: the authorization_code grant (codes as the authorize endpoint writes them: single use, at most 60 s,
 * bound to client, redirect_uri and the PKCE S256 verifier) and refresh tokens (rotated on every use, a reused one
 * revokes its family, never wider than granted, dead with the user).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { AuthorizationCodeDocument } from '../server/auth/documents.ts';
import { sha256Hex } from '../server/auth/auth-collections.ts';
import { useTestServer } from './support/in-process-server.ts';
import { basicAuth, bootstrapToken } from './support/tokens.ts';

const REDIRECT = 'https://app.test/callback';
const SCOPE = 'launch/patient openid fhirUser offline_access patient/*.rs';

describe('auth: authorization_code and refresh_token grants (issue 11)', () => {
  let clock = Date.now();
  const used = useTestServer({}, { now: () => clock });
  const { anonymous: http } = used;
  let admin: string;
  let publicClient: string;
  let confidential: { id: string; secret: string };
  let userId: string;

  before(async () => {
    admin = await bootstrapToken(http);
    const pub = await http
      .post('/admin/clients')
      .set('authorization', admin)
      .send({
        client_name: 'Patient app',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'none',
        scope: SCOPE,
      });
    assert.equal(pub.status, 201, JSON.stringify(pub.body));
    publicClient = pub.body.client_id;
    const conf = await http
      .post('/admin/clients')
      .set('authorization', admin)
      .send({
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
        scope: SCOPE,
      });
    confidential = { id: conf.body.client_id, secret: conf.body.client_secret };
    const user = await http
      .post('/admin/users')
      .set('authorization', admin)
      .send({ username: 'pat', password: 'a long patient password', role: 'patient', fhirUser: 'Patient/p1' });
    userId = user.body.id;
  });

  /** A code as the authorize endpoint stores it after consent. */
  async function code(overrides: Partial<AuthorizationCodeDocument> = {}, clientId = publicClient) {
    const value = randomBytes(32).toString('base64url');
    const verifier = randomBytes(40).toString('base64url');
    const doc: AuthorizationCodeDocument = {
      _id: sha256Hex(value),
      clientId,
      redirectUri: REDIRECT,
      codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
      userId,
      scope: SCOPE,
      patient: 'p1',
      nonce: 'n-0S6',
      expires: new Date(clock + 60_000).toISOString(),
      used: false,
      ...overrides,
    };
    const { codes } = used.server.auth.context!.collections;
    await codes.write([codes.insert(doc)]);
    return { code: value, verifier };
  }

  const exchange = (c: { code: string; verifier: string }, extra: Record<string, string> = {}) =>
    http
      .post('/oauth2/token')
      .type('form')
      .send({
        grant_type: 'authorization_code',
        code: c.code,
        code_verifier: c.verifier,
        redirect_uri: REDIRECT,
        client_id: publicClient,
        ...extra,
      });

  const refresh = (token: string, extra: Record<string, string> = {}) =>
    http
      .post('/oauth2/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: token, client_id: publicClient, ...extra });

  it('exchanges a code for access, id and refresh tokens with the launch context', async () => {
    const res = await exchange(await code());
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.scope, SCOPE);
    assert.equal(res.body.patient, 'p1');
    assert.equal(typeof res.body.refresh_token, 'string');
    const id = JSON.parse(Buffer.from(res.body.id_token.split('.')[1], 'base64url').toString());
    assert.equal(id.iss, 'http://fhir.test/fhir');
    assert.equal(id.aud, publicClient);
    assert.equal(id.sub, userId);
    assert.equal(id.nonce, 'n-0S6');
    assert.equal(id.fhirUser, 'http://fhir.test/fhir/Patient/p1');
    assert.ok(id.exp > id.iat);
    const introspected = await http
      .post('/oauth2/introspect')
      .set('authorization', admin)
      .type('form')
      .send({ token: res.body.access_token });
    assert.equal(introspected.status, 401, 'introspection needs client authentication, not a bearer token');
    const read = await http.get('/fhir/Patient/p1').set('authorization', `Bearer ${res.body.access_token}`);
    assert.notEqual(read.status, 401, 'the token passes the bearer check');
    const idAsAccess = await http.get('/fhir/Patient').set('authorization', `Bearer ${res.body.id_token}`);
    assert.equal(idAsAccess.status, 401, 'an id_token is not an access token');
  });

  it('a second use of a code fails and revokes what the first issued', async () => {
    const c = await code();
    const first = await exchange(c);
    assert.equal(first.status, 200);
    const second = await exchange(c);
    assert.equal(second.status, 400);
    assert.equal(second.body.error, 'invalid_grant');
    const access = await http.get('/fhir/Patient').set('authorization', `Bearer ${first.body.access_token}`);
    assert.equal(access.status, 401);
    assert.match(access.headers['www-authenticate'] as string, /revoked/);
    const refreshed = await refresh(first.body.refresh_token);
    assert.equal(refreshed.body.error, 'invalid_grant');
  });

  it('refuses a wrong PKCE verifier, a missing one, another redirect_uri, another client and an expired code', async () => {
    const wrong = await exchange({ ...(await code()), verifier: randomBytes(40).toString('base64url') });
    assert.equal(wrong.body.error, 'invalid_grant');
    const c = await code();
    const missing = await http
      .post('/oauth2/token')
      .type('form')
      .send({ grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, client_id: publicClient });
    assert.equal(missing.body.error, 'invalid_request');
    const redirect = await exchange(await code(), { redirect_uri: 'https://evil.test/callback' });
    assert.equal(redirect.body.error, 'invalid_grant');
    const other = await exchange(await code({}, confidential.id), { client_id: confidential.id, client_secret: confidential.secret });
    assert.equal(other.status, 200, 'the confidential client exchanges its own code with client_secret_post');
    const stolen = await exchange(await code({}, confidential.id));
    assert.equal(stolen.body.error, 'invalid_grant', "a code of the confidential client is not the public one's");
    const posing = await exchange(await code({}, confidential.id), { client_id: confidential.id });
    assert.equal(posing.status, 401, "nobody exchanges the confidential client's code without its secret");
    assert.equal(posing.body.error, 'invalid_client');
    const foreign = await exchange(await code(), { client_id: confidential.id, client_secret: confidential.secret });
    assert.equal(foreign.body.error, 'invalid_grant', 'a code of another client');
    const tooLong = await code({ expires: new Date(clock + 10 * 60_000).toISOString() });
    assert.equal((await exchange(tooLong)).body.error, 'invalid_grant', 'a code never lives longer than 60 s');
    const old = await code();
    clock += 61_000;
    try {
      assert.equal((await exchange(old)).body.error, 'invalid_grant');
    } finally {
      clock = Date.now();
    }
  });

  it('rotates refresh tokens; a reused one revokes the family; a wider scope is refused, a narrower one granted', async () => {
    const first = await exchange(await code());
    const second = await refresh(first.body.refresh_token);
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.notEqual(second.body.refresh_token, first.body.refresh_token);
    assert.equal(second.body.patient, 'p1');
    const widened = await refresh(second.body.refresh_token, { scope: `${SCOPE} user/*.cruds` });
    assert.equal(widened.status, 400);
    assert.equal(widened.body.error, 'invalid_scope');
    const narrower = await refresh(second.body.refresh_token, { scope: 'patient/*.rs offline_access' });
    assert.equal(narrower.status, 200, JSON.stringify(narrower.body));
    assert.equal(narrower.body.scope, 'patient/*.rs offline_access');
    const third = await refresh(narrower.body.refresh_token);
    assert.equal(third.body.scope, SCOPE, 'a narrower refresh does not shrink what the family may get back');
    // The first token again: a reuse, so the whole family dies, the newest tokens included.
    const reused = await refresh(first.body.refresh_token);
    assert.equal(reused.body.error, 'invalid_grant');
    assert.equal((await refresh(third.body.refresh_token)).body.error, 'invalid_grant');
    assert.equal((await http.get('/fhir/Patient').set('authorization', `Bearer ${third.body.access_token}`)).status, 401);
    const wrongClient = await http
      .post('/oauth2/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: 'x', client_id: confidential.id, client_secret: confidential.secret });
    assert.equal(wrongClient.body.error, 'invalid_grant');
  });

  it('revoking a refresh token (RFC 7009) revokes its family', async () => {
    const first = await exchange(await code());
    const res = await http.post('/oauth2/revoke').type('form').send({ token: first.body.refresh_token, client_id: publicClient });
    assert.equal(res.status, 200);
    assert.equal((await refresh(first.body.refresh_token)).body.error, 'invalid_grant');
    assert.equal((await http.get('/fhir/Patient').set('authorization', `Bearer ${first.body.access_token}`)).status, 401);
  });

  it('a deactivated user: access tokens 401 at once, refresh tokens dead, even after reactivation', async () => {
    const first = await exchange(await code());
    const probe = await http.get('/fhir/Patient/p1').set('authorization', `Bearer ${first.body.access_token}`);
    assert.notEqual(probe.status, 401, 'the token passes the bearer check');
    const off = await http.patch(`/admin/users/${userId}`).set('authorization', admin).send({ active: false });
    assert.equal(off.status, 200);
    const after = await http.get('/fhir/Patient/p1').set('authorization', `Bearer ${first.body.access_token}`);
    assert.equal(after.status, 401);
    assert.equal((await refresh(first.body.refresh_token)).body.error, 'invalid_grant');
    await http.patch(`/admin/users/${userId}`).set('authorization', admin).send({ active: true });
    clock += 2_000; // tokensNotBefore is whole seconds
    try {
      assert.equal((await refresh(first.body.refresh_token)).body.error, 'invalid_grant');
      assert.equal((await http.get('/fhir/Patient/p1').set('authorization', `Bearer ${first.body.access_token}`)).status, 401);
      const fresh = await exchange(await code());
      assert.equal(fresh.status, 200, 'a new sign-in works again');
    } finally {
      clock = Date.now();
    }
  });

  it('a deleted user: access and refresh tokens die at once', async () => {
    const user = await http
      .post('/admin/users')
      .set('authorization', admin)
      .send({ username: 'leaving', password: 'a long enough password', role: 'doctor', fhirUser: 'Practitioner/d1' });
    const first = await exchange(await code({ userId: user.body.id, patient: undefined }));
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.notEqual((await http.get('/fhir/Patient').set('authorization', `Bearer ${first.body.access_token}`)).status, 401);
    assert.equal((await http.delete(`/admin/users/${user.body.id}`).set('authorization', admin)).status, 204);
    assert.equal((await http.get('/fhir/Patient').set('authorization', `Bearer ${first.body.access_token}`)).status, 401);
    assert.equal((await refresh(first.body.refresh_token)).body.error, 'invalid_grant');
  });

  it('client_secret_basic for the confidential client of a code is refused when it registered _post', async () => {
    const c = await code({}, confidential.id);
    const res = await http
      .post('/oauth2/token')
      .set('authorization', basicAuth(confidential.id, confidential.secret))
      .type('form')
      .send({ grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier, redirect_uri: REDIRECT });
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
  });
});
