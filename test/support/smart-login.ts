/**
 * A user's token the way a SMART app gets one (https://hl7.org/fhir/smart-app-launch/app-launch.html): authorize
 * with PKCE, sign in on our login page, pick the patient when asked, consent, exchange the code. Over HTTP with
 * fetch and a cookie of our own, so it drives a child server or an in-process app listening on a port alike.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';

export interface UserLogin {
  /** The server's origin (`http://127.0.0.1:1234`); the FHIR base is `${origin}/fhir`... or `baseUrl`. */
  origin: string;
  /** The FHIR base the token is for (`aud`). */
  baseUrl: string;
  clientId: string;
  redirectUri: string;
  username: string;
  password: string;
  scope: string;
  /** The patient to choose on the picker, when the flow shows it. */
  patient?: string;
  /** An EHR launch id from `POST /admin/launch`. */
  launch?: string;
}

export interface TokenAnswer {
  access_token: string;
  scope: string;
  patient?: string;
  encounter?: string;
  refresh_token?: string;
  id_token?: string;
}

export async function userToken(login: UserLogin): Promise<TokenAnswer> {
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: login.clientId,
    redirect_uri: login.redirectUri,
    scope: login.scope,
    state: randomBytes(8).toString('hex'),
    aud: login.baseUrl,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(login.launch ? { launch: login.launch } : {}),
  });
  let cookie = '';
  const go = async (path: string, form?: Record<string, string>): Promise<Response> => {
    const res = await fetch(new URL(path, login.origin), {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const set of res.headers.getSetCookie()) cookie = set.split(';')[0]!;
    return res;
  };
  const csrf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  let res = await go(`/oauth2/authorize?${query}`);
  for (let step = 0; step < 6; step++) {
    const location = res.headers.get('location');
    assert.ok(location, `the authorize flow stopped (${res.status}): ${await res.text()}`);
    if (location.startsWith(login.redirectUri)) {
      const answer = new URL(location).searchParams;
      assert.equal(answer.get('error'), null, `authorize refused: ${answer.get('error')} ${answer.get('error_description')}`);
      return exchange(login, answer.get('code')!, verifier);
    }
    const path = new URL(location, login.origin).pathname;
    const page = await (await go(path)).text();
    if (path === '/oauth2/login') res = await go(path, { csrf: csrf(page), username: login.username, password: login.password });
    else if (path === '/oauth2/patient') res = await go(path, { csrf: csrf(page), patient: login.patient ?? '' });
    else if (path === '/oauth2/consent') res = await go(path, { csrf: csrf(page), decision: 'allow' });
    else assert.fail(`unexpected step ${path}`);
  }
  assert.fail('the authorize flow did not end');
}

async function exchange(login: UserLogin, code: string, verifier: string): Promise<TokenAnswer> {
  const res = await fetch(new URL('/oauth2/token', login.origin), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: login.redirectUri,
      client_id: login.clientId,
      code_verifier: verifier,
    }),
  });
  const body = (await res.json()) as TokenAnswer;
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
}
