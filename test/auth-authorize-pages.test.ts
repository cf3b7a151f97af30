/**
 * The authorization pages' defences (issue 11, "The pages"): CSRF tokens bound to the session, the sign-in
 * throttle that never tells whether a username exists, escaped output, and the headers of every page.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AUTH_CODES } from '../server/auth/documents.ts';
import { SIGN_IN_FAILED } from '../server/auth/authorize/login.ts';
import { sha256Hex } from '../server/auth/authorize/random-id.ts';
import { AUTH_SESSIONS } from '../server/auth/authorize/session.ts';
import { loginThrottle } from '../server/auth/authorize/throttle.ts';
import {
  addClient,
  addUser,
  authorizeQuery,
  csrfOf,
  PASSWORD,
  putResources,
  startAuthorizeApp,
  type AuthorizeApp,
} from '../server/auth/authorize/testing/authorize-app.ts';

type Browser = ReturnType<AuthorizeApp['browser']>;

function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  return cookies.find((c) => c.startsWith('fhirline_session='));
}

/** The error paragraph of a page. */
function errorOf(page: string): string | undefined {
  return /<p class="error"[^>]*>([^<]*)<\/p>/.exec(page)?.[1];
}

describe('SMART authorization pages (test/auth-authorize-pages.test.ts)', () => {
  let t: AuthorizeApp;
  before(async () => {
    t = await startAuthorizeApp();
    await addClient(t.engine, { _id: 'growth-chart' });
    await addClient(t.engine, { _id: 'evil-name', client_name: '<script>alert(1)</script>' });
    await addUser(t.engine, { _id: 'u-doc', username: 'doc', fhirUser: 'Practitioner/pr1' });
    await addUser(t.engine, { _id: 'u-pat', username: 'alice', fhirUser: 'Patient/p1' });
    await addUser(t.engine, { _id: 'u-gone', username: 'former', fhirUser: 'Practitioner/pr2', active: false });
    for (const name of ['victim', 'bystander']) await addUser(t.engine, { _id: `u-${name}`, username: name, fhirUser: 'Practitioner/pr3' });
    await putResources(t.engine, [{ resourceType: 'Patient', id: 'p1', name: [{ family: 'Liddell', given: ['Alice'] }] }]);
  });
  after(() => t.close());

  /** A browser at the login page of a fresh authorize request. */
  async function atLogin(query = authorizeQuery()): Promise<{ browser: Browser; csrf: string }> {
    const browser = t.browser();
    await browser.get(`/oauth2/authorize?${query}`).expect(302);
    const page = await browser.get('/oauth2/login').expect(200);
    return { browser, csrf: csrfOf(page.text) };
  }

  async function tryLogin(username: string, password: string): Promise<{ status: number; error?: string; location?: string }> {
    const { browser, csrf } = await atLogin();
    const res = await browser.post('/oauth2/login').type('form').send({ csrf, username, password });
    return { status: res.status, error: errorOf(res.text), location: res.headers.location as string | undefined };
  }

  describe('CSRF', () => {
    it('refuses a login post without the token, with a wrong one, or with another session’s, with 403', async () => {
      const { browser, csrf } = await atLogin();
      const other = await atLogin();
      for (const form of [{}, { csrf: 'x'.repeat(43) }, { csrf: other.csrf }, { csrf: [csrf, csrf] }]) {
        const res = await browser
          .post('/oauth2/login')
          .type('form')
          .send({ ...form, username: 'alice', password: PASSWORD });
        assert.equal(res.status, 403, JSON.stringify(form));
        assert.equal(res.headers.location, undefined);
      }
      const noCookie = await t.browser().post('/oauth2/login').type('form').send({ csrf, username: 'alice', password: PASSWORD });
      assert.equal(noCookie.status, 403);
      const ok = await browser.post('/oauth2/login').type('form').send({ csrf, username: 'alice', password: PASSWORD });
      assert.equal(ok.status, 303, 'the right token still works');
    });

    it('refuses a consent post with a wrong token: no code, no redirect', async () => {
      const { browser, csrf } = await atLogin();
      await browser.post('/oauth2/login').type('form').send({ csrf, username: 'alice', password: PASSWORD }).expect(303);
      const before = await t.engine.collection(AUTH_CODES).count({});
      const res = await browser.post('/oauth2/consent').type('form').send({ csrf, decision: 'allow' });
      assert.equal(res.status, 403, 'signing in replaced the session and its token');
      assert.equal(res.headers.location, undefined);
      assert.equal(await t.engine.collection(AUTH_CODES).count({}), before);
    });

    it('refuses a picker post with a wrong token', async () => {
      const { browser, csrf } = await atLogin();
      await browser.post('/oauth2/login').type('form').send({ csrf, username: 'doc', password: PASSWORD }).expect(303);
      const res = await browser.post('/oauth2/patient').type('form').send({ csrf: 'wrong', patient: 'p1' });
      assert.equal(res.status, 403);
    });
  });

  describe('sign-in', () => {
    it('says the same for a wrong password, an unknown user and an inactive user', async () => {
      const wrong = await tryLogin('bystander', 'not the password');
      const unknown = await tryLogin('nobody-at-all', PASSWORD);
      const inactive = await tryLogin('former', PASSWORD);
      for (const r of [wrong, unknown, inactive]) {
        assert.equal(r.status, 200);
        assert.equal(r.error, SIGN_IN_FAILED);
        assert.equal(r.location, undefined);
      }
      assert.equal(SIGN_IN_FAILED, 'Sign-in failed or is temporarily locked');
    });

    it('locks a username after 5 failures, even with the right password then, and only that username', async () => {
      for (let i = 0; i < 5; i++) assert.equal((await tryLogin('Victim', `guess ${i}`)).error, SIGN_IN_FAILED);
      const locked = await tryLogin('victim', PASSWORD);
      assert.equal(locked.error, SIGN_IN_FAILED);
      assert.equal(locked.location, undefined);
      assert.equal((await tryLogin('bystander', PASSWORD)).status, 303, 'another username signs in');
    });

    it('locks a username that does not exist the same way, so the lock reveals nothing', async () => {
      for (let i = 0; i < 6; i++) assert.equal((await tryLogin('ghost', `guess ${i}`)).error, SIGN_IN_FAILED);
      assert.equal(await loginThrottle(t.engine).locked('ghost'), true);
    });

    it('replaces the session on sign-in (no fixation), and stores only its hash', async () => {
      const browser = t.browser();
      const start = await browser.get(`/oauth2/authorize?${authorizeQuery()}`).expect(302);
      const first = /^fhirline_session=([^;]+)/.exec(sessionCookie(start)!)![1]!;
      const page = await browser.get('/oauth2/login');
      const signedIn = await browser
        .post('/oauth2/login')
        .type('form')
        .send({ csrf: csrfOf(page.text), username: 'alice', password: PASSWORD });
      const second = /^fhirline_session=([^;]+)/.exec(sessionCookie(signedIn)!)![1]!;
      assert.notEqual(second, first);
      const sessions = t.engine.collection(AUTH_SESSIONS);
      assert.equal(await sessions.findOne({ _id: second }), undefined);
      assert.ok(await sessions.findOne({ _id: sha256Hex(second) }));
      const old = await sessions.findOne({ _id: sha256Hex(first) });
      assert.ok(String(old?.expires) <= new Date().toISOString(), 'the first session has ended');
    });
  });

  describe('headers and output', () => {
    it('sends the session cookie HttpOnly, SameSite=Lax, Path=/oauth2, not Secure over http', async () => {
      const res = await t.browser().get(`/oauth2/authorize?${authorizeQuery()}`).expect(302);
      const cookie = sessionCookie(res)!;
      assert.match(cookie, /; HttpOnly/);
      assert.match(cookie, /; SameSite=Lax/);
      assert.match(cookie, /; Path=\/oauth2(;|$)/);
      assert.doesNotMatch(cookie, /Secure/);
    });

    it('marks the cookie Secure when BASE_URL is https', async () => {
      const secure = await startAuthorizeApp('https://fhir.test/fhir');
      try {
        await addClient(secure.engine, { _id: 'growth-chart' });
        const res = await secure
          .browser()
          .get(`/oauth2/authorize?${authorizeQuery({ aud: 'https://fhir.test/fhir' })}`)
          .expect(302);
        assert.match(sessionCookie(res)!, /; Secure/);
      } finally {
        await secure.close();
      }
    });

    it('every page, error page and redirect: no frames, no cache, a strict CSP whose style hash matches the page', async () => {
      const { browser, csrf } = await atLogin();
      const login = await browser.get('/oauth2/login');
      const signedIn = await browser.post('/oauth2/login').type('form').send({ csrf, username: 'alice', password: PASSWORD });
      const consent = await browser.get('/oauth2/consent');
      const errorPage = await t.browser().get('/oauth2/authorize?client_id=nobody');
      for (const res of [login, signedIn, consent, errorPage]) {
        assert.equal(res.headers['x-frame-options'], 'DENY');
        assert.equal(res.headers['cache-control'], 'no-store');
        const csp = res.headers['content-security-policy'] as string;
        assert.match(csp, /default-src 'none'/);
        assert.match(csp, /frame-ancestors 'none'/);
        assert.doesNotMatch(csp, /unsafe-inline|\*/);
      }
      const style = /<style>([^<]*)<\/style>/.exec(consent.text)![1]!;
      const hash = createHash('sha256').update(style).digest('base64');
      assert.match(consent.headers['content-security-policy'] as string, new RegExp(`style-src 'sha256-${hash.replace(/[+/]/g, '\\$&')}'`));
      assert.doesNotMatch(consent.text, /<script|src=|href=/, 'no external assets, no scripts');
    });

    it("lets the consent form's redirect reach the app: form-action names the redirect_uri's origin", async () => {
      const { browser, csrf } = await atLogin();
      await browser.post('/oauth2/login').type('form').send({ csrf, username: 'alice', password: PASSWORD });
      const consent = await browser.get('/oauth2/consent');
      assert.match(consent.headers['content-security-policy'] as string, /form-action 'self' https:\/\/app\.example(;|$)/);
      const errorPage = await t.browser().get('/oauth2/authorize?client_id=nobody');
      assert.match(errorPage.headers['content-security-policy'] as string, /form-action 'self'(;|$)/);
    });

    it('escapes what it shows: a client name, a searched name', async () => {
      const { browser, csrf } = await atLogin(authorizeQuery({ client_id: 'evil-name' }));
      const login = await browser.get('/oauth2/login');
      assert.doesNotMatch(login.text, /<script>/);
      assert.match(login.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      const signedIn = await browser.post('/oauth2/login').type('form').send({ csrf, username: 'doc', password: PASSWORD }).expect(303);
      assert.equal(signedIn.headers.location, '/oauth2/patient');
      const picker = await browser.get('/oauth2/patient');
      const found = await browser
        .post('/oauth2/patient')
        .type('form')
        .send({ csrf: csrfOf(picker.text), name: '"><script>x</script>' })
        .expect(200);
      assert.doesNotMatch(found.text, /<script>/);
      assert.match(found.text, /value="&quot;&gt;&lt;script&gt;x&lt;\/script&gt;"/);
    });
  });
});
