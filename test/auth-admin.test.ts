/**
 * Issue 11: the admin API (`/admin/clients`, `/admin/users`): admin principals only, RFC 7591 client metadata,
 * secrets shown once and never again, validation errors as OperationOutcomes naming the element, and deleting or
 * deactivating kills tokens at once.
 */
import assert from 'node:assert/strict';
import { useTestServer } from './support/in-process-server.ts';
import { bootstrapToken, clientToken } from './support/tokens.ts';

describe('auth: admin API for clients and users (issue 11)', () => {
  const { anonymous: http } = useTestServer();
  let admin: string;

  before(async () => {
    admin = await bootstrapToken(http);
  });

  const post = (path: string, body: unknown, auth = admin) =>
    http
      .post(path)
      .set('authorization', auth)
      .send(body as object);

  async function assertInvalid(path: string, body: unknown, expression: string) {
    const res = await post(path, body);
    assert.equal(res.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.deepEqual(res.body.issue[0].expression, [expression], JSON.stringify(res.body));
  }

  it('registers a confidential client: 201 with client_id and a secret shown once, stored hashed, never in GET', async () => {
    const res = await post('/admin/clients', {
      client_name: 'Lab system',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'system/Observation.rs',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(typeof res.body.client_id, 'string');
    assert.equal(typeof res.body.client_secret, 'string');
    assert.equal(res.body.scope, 'system/Observation.rs');
    const got = await http.get(`/admin/clients/${res.body.client_id}`).set('authorization', admin);
    assert.equal(got.status, 200);
    assert.equal(got.body.client_name, 'Lab system');
    assert.equal(got.body.client_secret, undefined);
    assert.equal(got.body.secretHash, undefined);
    assert.ok(!JSON.stringify(got.body).includes(res.body.client_secret));
    const list = await http.get('/admin/clients').set('authorization', admin);
    assert.ok(list.body.some((c: { client_id: string }) => c.client_id === res.body.client_id));
    assert.ok(!JSON.stringify(list.body).includes('scrypt$'));
    const token = await clientToken(http, res.body.client_id, res.body.client_secret, 'system/Observation.rs');
    assert.match(token, /^Bearer /);
  });

  it('refuses bad client metadata with the element at fault', async () => {
    const backend = { scope: 'system/*.rs', grant_types: ['client_credentials'] };
    const privateJwk = { kty: 'EC', crv: 'P-384', x: 'AA', y: 'AA', d: 'AA' };
    const invalid: [Record<string, unknown>, string][] = [
      [{ scope: 'system/*.*', token_endpoint_auth_method: 'magic' }, 'token_endpoint_auth_method'],
      [{ scope: 'system/*.*', grant_types: ['password'] }, 'grant_types'],
      [{ scope: 'user/*.rs', grant_types: ['authorization_code'] }, 'redirect_uris'],
      [{ scope: 'user/*.rs', redirect_uris: ['not a url'] }, 'redirect_uris[0]'],
      [{ scope: 'user/*.rs', redirect_uris: ['https://app.test/cb#x'] }, 'redirect_uris[0]'],
      [{ grant_types: ['client_credentials'] }, 'scope'],
      [{ ...backend, token_endpoint_auth_method: 'private_key_jwt' }, 'jwks'],
      [{ ...backend, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [privateJwk] } }, 'jwks.keys[0]'],
      [{ ...backend, token_endpoint_auth_method: 'none' }, 'grant_types'],
      [{ ...backend, client_secret: 'mine' }, 'client_secret'],
    ];
    for (const [body, expression] of invalid) await assertInvalid('/admin/clients', body, expression);
  });

  it('PATCHes and DELETEs a client; the tokens of a deleted client stop working at once', async () => {
    const created = await post('/admin/clients', { grant_types: ['client_credentials'], scope: 'system/*.*' });
    const id = created.body.client_id as string;
    const token = await clientToken(http, id, created.body.client_secret);
    assert.equal((await http.get('/fhir/Patient').set('authorization', token)).status, 200);
    const patched = await http.patch(`/admin/clients/${id}`).set('authorization', admin).send({ client_name: 'Renamed' });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.client_name, 'Renamed');
    const bad = await http.patch(`/admin/clients/${id}`).set('authorization', admin).send({ token_endpoint_auth_method: 'none' });
    assert.equal(bad.status, 400);
    const deleted = await http.delete(`/admin/clients/${id}`).set('authorization', admin);
    assert.equal(deleted.status, 204);
    const after = await http.get('/fhir/Patient').set('authorization', token);
    assert.equal(after.status, 401);
    assert.match(after.headers['www-authenticate'] as string, /error="invalid_token"/);
    assert.equal((await http.get(`/admin/clients/${id}`).set('authorization', admin)).status, 404);
  });

  it('answers 403 to a principal that is not admin, 401 without a token', async () => {
    const created = await post('/admin/clients', { grant_types: ['client_credentials'], scope: 'system/*.*' });
    const token = await clientToken(http, created.body.client_id, created.body.client_secret);
    for (const res of [
      await http.get('/admin/clients').set('authorization', token),
      await http.post('/admin/users').set('authorization', token).send({}),
      await http.post('/admin/keys/$rotate').set('authorization', token),
    ]) {
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.equal(res.body.issue[0].code, 'forbidden');
    }
    assert.equal((await http.get('/admin/users')).status, 401);
  });

  it('creates users with scrypt passwords, refuses bad ones with the element at fault, never shows the hash', async () => {
    const res = await post('/admin/users', {
      username: 'dr.house',
      password: 'correct horse battery',
      role: 'doctor',
      fhirUser: 'Practitioner/7',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.body).sort(), ['active', 'created', 'fhirUser', 'id', 'role', 'updated', 'username']);
    const got = await http.get(`/admin/users/${res.body.id}`).set('authorization', admin);
    assert.equal(got.body.username, 'dr.house');
    assert.ok(!JSON.stringify(got.body).includes('scrypt'));
    const again = await post('/admin/users', {
      username: 'DR.HOUSE',
      password: 'another long password',
      role: 'nurse',
      fhirUser: 'Practitioner/8',
    });
    assert.equal(again.status, 409);
    const valid = { username: 'a', password: 'long enough pass', role: 'doctor', fhirUser: 'Practitioner/1' };
    const invalid: [Record<string, string>, string][] = [
      [{ password: 'short' }, 'password'],
      [{ role: 'surgeon' }, 'role'],
      [{ fhirUser: 'Organization/1' }, 'fhirUser'],
      [{ role: 'patient' }, 'fhirUser'],
      [{ username: 'a b' }, 'username'],
    ];
    for (const [change, expression] of invalid) await assertInvalid('/admin/users', { ...valid, ...change }, expression);
    const patched = await http.patch(`/admin/users/${res.body.id}`).set('authorization', admin).send({ role: 'nurse' });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.role, 'nurse');
    const badPatch = await http.patch(`/admin/users/${res.body.id}`).set('authorization', admin).send({ username: 'x' });
    assert.equal(badPatch.status, 400);
    assert.deepEqual(badPatch.body.issue[0].expression, ['username']);
    assert.equal((await http.delete(`/admin/users/${res.body.id}`).set('authorization', admin)).status, 204);
    assert.equal((await http.get(`/admin/users/${res.body.id}`).set('authorization', admin)).status, 404);
    const reuse = await post('/admin/users', {
      username: 'dr.house',
      password: 'correct horse battery',
      role: 'doctor',
      fhirUser: 'Practitioner/7',
    });
    assert.equal(reuse.status, 201, 'a deleted account frees its username');
  });
});
