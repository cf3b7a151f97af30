/**
 * Who is calling the token, introspection or revocation endpoint (https://www.rfc-editor.org/rfc/rfc6749#section-2.3):
 * `client_secret_basic`, `client_secret_post`, `private_key_jwt`, or `none` (a public client names itself and
 * proves nothing; PKCE binds its code). A client must use the method it registered, and only one per request.
 */
import type { Context } from 'koa';
import type { ClientDocument } from './documents.ts';
import { liveClient } from './auth-collections.ts';
import type { AuthContext } from './context.ts';
import { assertionIssuer, JWT_BEARER, verifyClientAssertion } from './client-assertion.ts';
import { OAuthError } from './oauth-error.ts';
import { hashSecret, verifySecret } from './secret-hash.ts';

/** Compared against when the client is unknown, so that its answer takes as long as a wrong secret's. */
let dummyHash: Promise<string> | undefined;
async function spendScrypt(secrets: string[]): Promise<void> {
  dummyHash ??= hashSecret('fhirline-no-such-client');
  await anyMatches(secrets, await dummyHash);
}

export async function authenticateClient(context: AuthContext, ctx: Context, form: URLSearchParams): Promise<ClientDocument> {
  const basic = basicCredentials(ctx.get('authorization'));
  const assertionType = form.get('client_assertion_type');
  const assertion = form.get('client_assertion');
  const postSecret = form.get('client_secret');
  const used = [basic, assertion ?? assertionType, postSecret].filter((m) => m !== null && m !== undefined);
  if (used.length > 1) throw new OAuthError('invalid_request', 'Use one client authentication method per request');
  const bad = new OAuthError('invalid_client', 'Client authentication failed');

  if (basic) {
    if (form.get('client_id') !== null && form.get('client_id') !== basic.id) throw bad;
    const client = await liveClient(context.collections, basic.id);
    if (!client || client.token_endpoint_auth_method !== 'client_secret_basic' || !client.secretHash) {
      await spendScrypt(basic.secrets);
      throw bad;
    }
    if (!(await anyMatches(basic.secrets, client.secretHash))) throw bad;
    return client;
  }
  if (assertion !== null || assertionType !== null) {
    if (assertionType !== JWT_BEARER) throw new OAuthError('invalid_request', `client_assertion_type must be ${JWT_BEARER}`);
    if (!assertion) throw new OAuthError('invalid_request', 'client_assertion is missing');
    const id = assertionIssuer(assertion);
    if (!id || (form.get('client_id') !== null && form.get('client_id') !== id)) throw bad;
    const client = await liveClient(context.collections, id);
    if (!client || client.token_endpoint_auth_method !== 'private_key_jwt') throw bad;
    await verifyClientAssertion(context, client, assertion);
    return client;
  }
  const id = form.get('client_id');
  if (!id) throw new OAuthError('invalid_client', 'No client authentication and no client_id');
  const client = await liveClient(context.collections, id);
  if (!client) {
    if (postSecret !== null) await spendScrypt([postSecret]);
    throw bad;
  }
  if (postSecret !== null) {
    if (client.token_endpoint_auth_method !== 'client_secret_post' || !client.secretHash) throw bad;
    if (!(await verifySecret(postSecret, client.secretHash))) throw bad;
    return client;
  }
  if (client.token_endpoint_auth_method !== 'none') throw bad;
  return client;
}

/**
 * `Authorization: Basic base64(id:secret)`, else undefined. RFC 6749 §2.3.1 form-urlencodes both, which many
 * clients (`curl -u`) do not: the decoded and the raw forms are both tried.
 */
function basicCredentials(header: string): { id: string; secrets: string[] } | undefined {
  const m = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!m) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const rawId = text.slice(0, colon);
  const raw = text.slice(colon + 1);
  const decode = (v: string) => {
    try {
      return decodeURIComponent(v.replace(/\+/g, ' '));
    } catch {
      return v;
    }
  };
  const decoded = decode(raw);
  return { id: decode(rawId), secrets: decoded === raw ? [raw] : [decoded, raw] };
}

async function anyMatches(secrets: string[], hash: string): Promise<boolean> {
  for (const secret of secrets) if (await verifySecret(secret, hash)) return true;
  return false;
}
