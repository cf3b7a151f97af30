/**
 * The authorization pages in headless Chromium (Debian's `chromium`, driven by playwright-core; skipped where it
 * is not installed): the inline stylesheet is allowed by its CSP hash, and the consent form's 303 to the app on
 * another origin is not blocked by `form-action` (Chromium applies it to the redirect after a form post, so the
 * policy names the redirect_uri's origin; without it the post is refused).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import {
  addClient,
  addUser,
  authorizeQuery,
  PASSWORD,
  putResources,
  startAuthorizeApp,
  type AuthorizeApp,
} from '../server/auth/authorize/testing/authorize-app.ts';

const CHROMIUM = '/usr/bin/chromium';

describe('SMART authorization pages in Chromium (test/auth-authorize-browser.test.ts)', function () {
  this.timeout(60_000);
  let t: AuthorizeApp;
  let app: Server;
  let browser: Browser;
  let redirectUri: string;
  let base: string;
  const violations: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    t = await startAuthorizeApp();
    // The app: another origin (localhost, not 127.0.0.1) that shows the query it was sent back with.
    app = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(req.url));
    await new Promise<void>((ok) => app.listen(0, '127.0.0.1', ok));
    redirectUri = `http://localhost:${(app.address() as { port: number }).port}/callback`;
    base = `http://127.0.0.1:${(t.server.address() as { port: number }).port}`;
    await addClient(t.engine, { _id: 'growth-chart', redirect_uris: [redirectUri] });
    await addUser(t.engine, { _id: 'u-doc', username: 'doc', fhirUser: 'Practitioner/pr1' });
    await putResources(t.engine, [{ resourceType: 'Patient', id: 'p1', name: [{ family: 'Liddell', given: ['Alice'] }] }]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    app?.close();
    await t?.close();
  });

  for (const decision of ['allow', 'deny'] as const) {
    it(`signs in, picks a patient and chooses ${decision}: the browser lands on the app with the answer`, async () => {
      const page = await browser.newPage();
      page.on('console', (m) => m.type() === 'error' && violations.push(m.text()));
      await page.goto(`${base}/oauth2/authorize?${authorizeQuery({ redirect_uri: redirectUri })}`);
      assert.equal(new URL(page.url()).pathname, '/oauth2/login');
      await page.fill('input[name=username]', 'doc');
      await page.fill('input[name=password]', PASSWORD);
      await page.click('button[type=submit]');
      await page.fill('input[name=name]', 'liddell');
      await page.click('button[type=submit]');
      await page.click('ul button');
      assert.equal(new URL(page.url()).pathname, '/oauth2/consent');
      assert.equal(await page.evaluate(() => getComputedStyle(document.body).maxWidth), '512px', 'the stylesheet applies');
      await page.click(`button[value=${decision}]`);
      await page.waitForURL((url) => url.origin !== base, { timeout: 10_000 });
      const answer = new URL(page.url());
      assert.equal(`${answer.origin}${answer.pathname}`, redirectUri);
      assert.equal(answer.searchParams.get('state'), 'st-123');
      if (decision === 'allow') assert.match(answer.searchParams.get('code') ?? '', /^[A-Za-z0-9_-]{43}$/);
      else assert.equal(answer.searchParams.get('error'), 'access_denied');
      assert.deepEqual(violations, [], 'no Content-Security-Policy violation');
      await page.close();
    });
  }
});
