/**
 * For the `auth` benchmark: user tokens the way a SMART app gets them, by plain HTTP requests — the authorization
 * code flow with PKCE (https://hl7.org/fhir/smart-app-launch/app-launch.html): GET /oauth2/authorize, the login
 * form (username, password, CSRF token from the page), the consent form (decision=allow), then the code exchanged
 * at /oauth2/token by a public client with its code_verifier. The session cookie is carried by hand.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface UserLogin {
  origin: string;
  /** FHIR base URL: the `aud` of the authorize request. */
  fhirBase: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  username: string;
  password: string;
}

export interface UserToken {
  /** `Bearer …` */
  authorization: string;
  scope: string;
  /** The patient in context, when the token has one. */
  patient?: string;
}

/** Signs `username` in, allows the request, and exchanges the code; throws with the step that failed. */
export async function authorizationCodeToken(login: UserLogin): Promise<UserToken> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('hex');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: login.clientId,
    redirect_uri: login.redirectUri,
    scope: login.scope,
    state,
    aud: login.fhirBase,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const browser = new CookieBrowser(login.origin);
  let location = await browser.redirect('GET', `/oauth2/authorize?${query}`);
  if (location === '/oauth2/login') {
    const page = await browser.page('/oauth2/login');
    location = await browser.redirect('POST', '/oauth2/login', {
      csrf: csrfOf(page),
      username: login.username,
      password: login.password,
    });
  }
  if (location !== '/oauth2/consent') throw new Error(`sign-in of ${login.username} led to ${location}, not the consent page`);
  const consent = await browser.page('/oauth2/consent');
  const back = new URL(await browser.redirect('POST', '/oauth2/consent', { csrf: csrfOf(consent), decision: 'allow' }));
  const code = back.searchParams.get('code');
  if (!code || back.searchParams.get('state') !== state) throw new Error(`consent answered ${back.href} without code or state`);

  const res = await fetch(`${login.origin}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: login.redirectUri,
      client_id: login.clientId,
      code_verifier: verifier,
    }).toString(),
  });
  const body = (await res.json()) as { access_token?: string; scope?: string; patient?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`code exchange failed (HTTP ${res.status}): ${JSON.stringify(body)}`);
  return { authorization: `Bearer ${body.access_token}`, scope: body.scope ?? '', patient: body.patient };
}

/** The CSRF token of the page's (first) form. */
function csrfOf(page: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(page);
  if (!m) throw new Error('no CSRF field on the page');
  return m[1]!;
}

/** fetch with a cookie jar of one origin and redirects not followed. */
class CookieBrowser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly origin: string) {}

  private async send(method: string, path: string, form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(`${this.origin}${path}`, {
      method,
      headers,
      body: form ? new URLSearchParams(form).toString() : undefined,
      redirect: 'manual',
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    return res;
  }

  /** The HTML of a 200 page. */
  async page(path: string): Promise<string> {
    const res = await this.send('GET', path);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return text;
  }

  /** The Location of a 302/303 answer. */
  async redirect(method: string, path: string, form?: Record<string, string>): Promise<string> {
    const res = await this.send(method, path, form);
    const text = await res.text();
    const location = res.headers.get('location');
    if ((res.status !== 302 && res.status !== 303) || !location)
      throw new Error(`${method} ${path.split('?')[0]}: HTTP ${res.status} ${text.replace(/<[^>]+>/g, ' ').slice(0, 300)}`);
    return location;
  }
}
