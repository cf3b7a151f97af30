/**
 * The SMART authorize endpoint (issue 11): its checks in order, the standalone and EHR launch flows through the
 * login, picker and consent pages with a cookie jar, and the authorization code it stores.
 */
import assert from 'node:assert/strict';
import { AUTH_CODES, AUTH_USERS, type AuthorizationCodeDocument, type UserDocument } from '../server/auth/documents.ts';
import { sha256Hex } from '../server/auth/authorize/random-id.ts';
import {
  addClient,
  addUser,
  authorizeQuery,
  BASE_URL,
  csrfOf,
  PASSWORD,
  pkce,
  putResources,
  REDIRECT_URI,
  startAuthorizeApp,
  type AuthorizeApp,
} from '../server/auth/authorize/testing/authorize-app.ts';

type Browser = ReturnType<AuthorizeApp['browser']>;

/** The query of a redirect to the app. */
function appRedirect(location: string | undefined): URLSearchParams {
  assert.ok(location?.startsWith(`${REDIRECT_URI}?`), `a redirect to the app, got ${location}`);
  return new URL(location!).searchParams;
}

describe('SMART authorize endpoint (test/auth-authorize.test.ts)', () => {
  let t: AuthorizeApp;
  before(async () => {
    t = await startAuthorizeApp();
    await addClient(t.engine, { _id: 'growth-chart' });
    await addClient(t.engine, { _id: 'backend', grant_types: ['client_credentials'], scope: 'system/*.rs' });
    await addUser(t.engine, { _id: 'u-doc', username: 'Dr.House', fhirUser: 'Practitioner/pr1' });
    await addUser(t.engine, { _id: 'u-pat', username: 'alice', fhirUser: 'Patient/p1' });
    await putResources(t.engine, [
      { resourceType: 'Patient', id: 'p1', name: [{ family: 'Liddell', given: ['Alice'] }], birthDate: '1990-05-04' },
      { resourceType: 'Patient', id: 'p2', name: [{ family: 'Liddell', given: ['Lorina'] }] },
      { resourceType: 'Patient', id: 'p3', name: [{ family: 'Hatter' }] },
      { resourceType: 'Encounter', id: 'e1', status: 'in-progress', class: { code: 'IMP' }, subject: { reference: 'Patient/p3' } },
    ]);
  });
  after(() => t.close());

  async function codeDocument(location: string): Promise<AuthorizationCodeDocument | undefined> {
    const code = appRedirect(location).get('code')!;
    return t.engine.collection<AuthorizationCodeDocument>(AUTH_CODES).findOne({ _id: sha256Hex(code) });
  }

  /** Signs in from the login page the authorize answer leads to; answers the redirect that follows. */
  async function signIn(browser: Browser, username: string, password = PASSWORD): Promise<string> {
    const page = await browser.get('/oauth2/login').expect(200);
    const res = await browser
      .post('/oauth2/login')
      .type('form')
      .send({ csrf: csrfOf(page.text), username, password });
    assert.equal(res.status, 303, res.text);
    return res.headers.location as string;
  }

  async function allow(browser: Browser, decision = 'allow'): Promise<string> {
    const page = await browser.get('/oauth2/consent').expect(200);
    const res = await browser
      .post('/oauth2/consent')
      .type('form')
      .send({ csrf: csrfOf(page.text), decision })
      .expect(303);
    return res.headers.location as string;
  }

  describe('checks before the app is known: an error page, never a redirect', () => {
    for (const [what, overrides] of [
      ['an unknown client_id', { client_id: 'nobody' }],
      ['a missing client_id', { client_id: undefined }],
      ['an unregistered redirect_uri', { redirect_uri: 'https://evil.example/callback' }],
      ['a redirect_uri that differs by a trailing slash', { redirect_uri: `${REDIRECT_URI}/` }],
      ['a missing redirect_uri', { redirect_uri: undefined }],
    ] as const) {
      it(`answers ${what} with a 400 page and no Location`, async () => {
        const res = await t.browser().get(`/oauth2/authorize?${authorizeQuery(overrides)}`);
        assert.equal(res.status, 400);
        assert.equal(res.headers.location, undefined);
        assert.match(res.headers['content-type'] as string, /^text\/html/);
        assert.match(res.text, /cannot continue/);
      });
    }

    it('does not follow a second redirect_uri appended to a registered one', async () => {
      const res = await t.browser().get(`/oauth2/authorize?${authorizeQuery()}&redirect_uri=https://evil.example/`);
      assert.equal(res.status, 400);
      assert.equal(res.headers.location, undefined);
    });
  });

  describe('checks once the app is known: back to redirect_uri with error and state (RFC 6749 §4.1.2.1)', () => {
    const cases: [string, Record<string, string | undefined>, string][] = [
      ['response_type token', { response_type: 'token' }, 'unsupported_response_type'],
      ['no response_type', { response_type: undefined }, 'invalid_request'],
      ['code_challenge_method plain', { code_challenge_method: 'plain' }, 'invalid_request'],
      ['no code_challenge_method', { code_challenge_method: undefined }, 'invalid_request'],
      ['no code_challenge', { code_challenge: undefined }, 'invalid_request'],
      ['a malformed code_challenge', { code_challenge: 'short' }, 'invalid_request'],
      ['an aud of another server', { aud: 'http://other.test/fhir' }, 'invalid_request'],
      ['no aud', { aud: undefined }, 'invalid_request'],
      ['no scope this client may have', { scope: 'user/*.cruds' }, 'invalid_scope'],
      ['an unknown launch', { launch: 'not-a-launch' }, 'invalid_request'],
    ];
    for (const [what, overrides, error] of cases) {
      it(`${what} -> ${error}`, async () => {
        const res = await t
          .browser()
          .get(`/oauth2/authorize?${authorizeQuery(overrides)}`)
          .expect(302);
        const query = appRedirect(res.headers.location);
        assert.equal(query.get('error'), error);
        assert.ok(query.get('error_description'));
        assert.equal(query.get('state'), 'st-123');
        assert.equal(query.get('code'), null);
      });
    }

    it('refuses a client without the authorization_code grant (unauthorized_client)', async () => {
      const res = await t
        .browser()
        .get(`/oauth2/authorize?${authorizeQuery({ client_id: 'backend' })}`)
        .expect(302);
      assert.equal(appRedirect(res.headers.location).get('error'), 'unauthorized_client');
    });

    it('requires state (SMART App Launch 2.0) and a parameter given once', async () => {
      const noState = await t
        .browser()
        .get(`/oauth2/authorize?${authorizeQuery({ state: undefined })}`)
        .expect(302);
      assert.equal(appRedirect(noState.headers.location).get('error'), 'invalid_request');
      const twice = await t.browser().get(`/oauth2/authorize?${authorizeQuery()}&scope=openid`).expect(302);
      assert.equal(appRedirect(twice.headers.location).get('error'), 'invalid_request');
    });
  });

  it('standalone launch: a practitioner signs in, picks a patient, consents, and the app gets a code bound to all of it', async () => {
    const browser = t.browser();
    const { challenge } = pkce();
    const scope = 'openid fhirUser launch/patient patient/Observation.rs patient/Condition.rs offline_access';
    const start = await browser.get(`/oauth2/authorize?${authorizeQuery({ scope, code_challenge: challenge, nonce: 'n-1' })}`).expect(302);
    assert.equal(start.headers.location, '/oauth2/login');
    assert.equal(await signIn(browser, 'dr.house'), '/oauth2/patient', 'usernames are case-insensitive');

    const picker = await browser.get('/oauth2/patient').expect(200);
    const found = await browser
      .post('/oauth2/patient')
      .type('form')
      .send({ csrf: csrfOf(picker.text), name: 'liddell' })
      .expect(200);
    assert.match(found.text, /Alice Liddell/);
    assert.match(found.text, /Lorina Liddell/);
    assert.doesNotMatch(found.text, /Hatter/);
    const chosen = await browser
      .post('/oauth2/patient')
      .type('form')
      .send({ csrf: csrfOf(found.text), patient: 'p2' })
      .expect(303);
    assert.equal(chosen.headers.location, '/oauth2/consent');

    const consent = await browser.get('/oauth2/consent').expect(200);
    assert.match(consent.text, /read and search the selected patient&#39;s Observations/);
    assert.doesNotMatch(consent.text, /Condition/, 'the consent page shows what will be granted, not what was asked');
    assert.match(consent.text, /<button type="submit" name="decision" value="allow">/);
    assert.match(consent.text, /<button type="submit" name="decision" value="deny">/);

    const location = await allow(browser);
    assert.equal(appRedirect(location).get('state'), 'st-123');
    const doc = await codeDocument(location);
    assert.ok(doc);
    const { expires, ...rest } = doc;
    assert.deepEqual(rest, {
      _id: doc._id,
      clientId: 'growth-chart',
      redirectUri: REDIRECT_URI,
      codeChallenge: challenge,
      userId: 'u-doc',
      scope: 'openid fhirUser launch/patient patient/Observation.rs offline_access',
      patient: 'p2',
      nonce: 'n-1',
      used: false,
    });
    const lifetime = Date.parse(expires) - Date.now();
    assert.ok(lifetime > 0 && lifetime <= 60_000, `expires within 60 s, got ${lifetime} ms`);
  });

  it('a patient user gets their own record as the patient in context, without a picker', async () => {
    const browser = t.browser();
    await browser.get(`/oauth2/authorize?${authorizeQuery()}`).expect(302);
    assert.equal(await signIn(browser, 'alice'), '/oauth2/consent');
    const consent = await browser.get('/oauth2/consent').expect(200);
    assert.match(consent.text, /read and search your Observations/);
    const doc = await codeDocument(await allow(browser));
    assert.equal(doc?.patient, 'p1');
    assert.equal(doc?.userId, 'u-pat');
  });

  it('authorize-post: the same request form-encoded', async () => {
    const browser = t.browser();
    const res = await browser.post('/oauth2/authorize').type('form').send(authorizeQuery()).expect(303);
    assert.equal(res.headers.location, '/oauth2/login');
    const bad = await t
      .browser()
      .post('/oauth2/authorize')
      .type('form')
      .send(authorizeQuery({ code_challenge_method: 'plain' }))
      .expect(303);
    assert.equal(appRedirect(bad.headers.location).get('error'), 'invalid_request');
  });

  it('deny sends the app error=access_denied with its state, and no code is stored', async () => {
    const browser = t.browser();
    await browser.get(`/oauth2/authorize?${authorizeQuery()}`).expect(302);
    await signIn(browser, 'alice');
    const before = await t.engine.collection(AUTH_CODES).count({});
    const query = appRedirect(await allow(browser, 'deny'));
    assert.equal(query.get('error'), 'access_denied');
    assert.equal(query.get('state'), 'st-123');
    assert.equal(query.get('code'), null);
    assert.equal(await t.engine.collection(AUTH_CODES).count({}), before);
  });

  it('a consent is answered once: posting it again makes no second code', async () => {
    const browser = t.browser();
    await browser.get(`/oauth2/authorize?${authorizeQuery()}`).expect(302);
    await signIn(browser, 'alice');
    const page = await browser.get('/oauth2/consent').expect(200);
    const form = { csrf: csrfOf(page.text), decision: 'allow' };
    await browser.post('/oauth2/consent').type('form').send(form).expect(303);
    const before = await t.engine.collection(AUTH_CODES).count({});
    const again = await browser.post('/oauth2/consent').type('form').send(form);
    assert.equal(again.status, 403);
    assert.equal(again.headers.location, undefined);
    assert.equal(await t.engine.collection(AUTH_CODES).count({}), before);
  });

  it('no page can be skipped: consent before sign-in is refused', async () => {
    const browser = t.browser();
    await browser.get(`/oauth2/authorize?${authorizeQuery()}`).expect(302);
    const res = await browser.get('/oauth2/consent');
    assert.equal(res.status, 400);
    assert.equal(res.headers.location, undefined);
    const practitioner = t.browser();
    await practitioner.get(`/oauth2/authorize?${authorizeQuery()}`).expect(302);
    await signIn(practitioner, 'dr.house');
    assert.equal((await practitioner.get('/oauth2/consent')).status, 400, 'the patient must be picked first');
  });

  it('a user deactivated after signing in gets no code', async () => {
    await addUser(t.engine, { _id: 'u-leaver', username: 'leaver', fhirUser: 'Practitioner/pr9' });
    const browser = t.browser();
    await browser.get(`/oauth2/authorize?${authorizeQuery({ scope: 'openid patient/Observation.rs' })}`).expect(302);
    assert.equal(await signIn(browser, 'leaver'), '/oauth2/consent');
    const users = t.engine.collection<UserDocument>(AUTH_USERS);
    const user = (await users.findOne({ _id: 'u-leaver' }))!;
    await users.write([users.replace({ ...user, active: false })]);
    const before = await t.engine.collection(AUTH_CODES).count({});
    const page = await browser.get('/oauth2/consent').expect(200);
    const res = await browser
      .post('/oauth2/consent')
      .type('form')
      .send({ csrf: csrfOf(page.text), decision: 'allow' });
    assert.equal(res.status, 403);
    assert.equal(res.headers.location, undefined);
    assert.equal(await t.engine.collection(AUTH_CODES).count({}), before);
  });

  describe('EHR launch (POST /admin/launch)', () => {
    it('needs an admin principal: 401 without one, 403 for another', async () => {
      const body = { patient: 'Patient/p3' };
      const none = await t.browser().post('/admin/launch').send(body);
      assert.equal(none.status, 401);
      const other = await t.browser().post('/admin/launch').set('X-Test-Principal', 'client').send(body);
      assert.equal(other.status, 403);
      assert.equal(other.body.resourceType, 'OperationOutcome');
    });

    it('refuses a malformed or unknown context, naming the member', async () => {
      for (const body of [
        { patient: 'p3' },
        { patient: 'Patient/nope' },
        { encounter: 'Patient/p3' },
        {},
        { patient: 'Patient/p3', user: 'x' },
      ]) {
        const res = await t.browser().post('/admin/launch').set('X-Test-Principal', 'admin').send(body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.ok(res.body.issue[0].expression?.length, JSON.stringify(res.body));
      }
    });

    it('gives a single-use launch id whose patient and encounter reach the code, without a picker', async () => {
      const created = await t
        .browser()
        .post('/admin/launch')
        .set('X-Test-Principal', 'admin')
        .send({ patient: 'Patient/p3', encounter: 'Encounter/e1' })
        .expect(201);
      const { launch } = created.body as { launch: string };
      assert.match(launch, /^[A-Za-z0-9_-]{43}$/);
      const scope = 'launch openid fhirUser patient/Observation.rs';

      const browser = t.browser();
      await browser.get(`/oauth2/authorize?${authorizeQuery({ launch, scope })}`).expect(302);
      assert.equal(await signIn(browser, 'dr.house'), '/oauth2/consent');
      const doc = await codeDocument(await allow(browser));
      assert.equal(doc?.patient, 'p3');
      assert.equal(doc?.encounter, 'e1');

      const again = await t
        .browser()
        .get(`/oauth2/authorize?${authorizeQuery({ launch, scope })}`)
        .expect(302);
      assert.equal(appRedirect(again.headers.location).get('error'), 'invalid_request');
    });

    it("does not let a patient account take a launch of another patient's record", async () => {
      const created = await t.browser().post('/admin/launch').set('X-Test-Principal', 'admin').send({ patient: 'Patient/p3' }).expect(201);
      const browser = t.browser();
      const launch = (created.body as { launch: string }).launch;
      await browser.get(`/oauth2/authorize?${authorizeQuery({ launch, scope: 'launch patient/Observation.rs' })}`).expect(302);
      const page = await browser.get('/oauth2/login').expect(200);
      const res = await browser
        .post('/oauth2/login')
        .type('form')
        .send({ csrf: csrfOf(page.text), username: 'alice', password: PASSWORD });
      assert.equal(res.status, 403);
      assert.equal(res.headers.location, undefined);
      assert.equal((await browser.get('/oauth2/consent')).status, 400, 'the request is over');
    });
  });

  it('the aud check uses BASE_URL as configured', () => {
    assert.equal(BASE_URL, t.engine.config.baseUrl);
  });
});
