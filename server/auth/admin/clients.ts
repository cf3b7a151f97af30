/**
 * `/admin/clients`: client registration with RFC 7591 metadata (https://www.rfc-editor.org/rfc/rfc7591#section-2).
 * The secret (client_secret_basic/post) is shown once in the 201 and stored as a scrypt hash; GET never shows it.
 * Deleting a client, or narrowing it, takes effect on its tokens at once.
 */
import { createPublicKey, randomBytes, randomUUID, type JsonWebKey } from 'node:crypto';
import Router from '@koa/router';
import { badRequest, notFound } from '../../errors/fhir-error.ts';
import type { ClientDocument } from '../documents.ts';
import { liveClient } from '../auth-collections.ts';
import type { AuthContext } from '../context.ts';
import { hashSecret } from '../secret-hash.ts';
import { jsonObject, refuseUnknown, requireAdmin, sendPlainJson, serveReads } from './admin-request.ts';

const METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
const GRANTS = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
const METADATA = ['client_name', 'redirect_uris', 'grant_types', 'token_endpoint_auth_method', 'scope', 'jwks', 'jwks_uri', 'admin'];
/** A method cannot change afterwards: a new secret or key would have to be handed out. */
const PATCHABLE = METADATA.filter((f) => f !== 'token_endpoint_auth_method');

type Metadata = Pick<
  ClientDocument,
  'client_name' | 'redirect_uris' | 'grant_types' | 'token_endpoint_auth_method' | 'scope' | 'jwks' | 'jwks_uri' | 'admin'
>;

/** The client as the API shows it: metadata and id, never the secret's hash. */
export function clientView(c: ClientDocument): Record<string, unknown> {
  return {
    client_id: c._id,
    client_name: c.client_name,
    redirect_uris: c.redirect_uris,
    grant_types: c.grant_types,
    token_endpoint_auth_method: c.token_endpoint_auth_method,
    scope: c.scope,
    ...(c.jwks && { jwks: c.jwks }),
    ...(c.jwks_uri && { jwks_uri: c.jwks_uri }),
    admin: c.admin,
    client_id_issued_at: Math.floor(Date.parse(c.created) / 1000),
  };
}

function stringField(body: Record<string, unknown>, name: string, fallback?: string): string {
  const v = body[name] ?? fallback;
  if (typeof v !== 'string') throw badRequest(`${name} must be a string`, name);
  return v;
}

function httpUrl(value: unknown, expression: string): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw badRequest(`${expression} must be an absolute URL`, expression);
  }
  if (typeof value !== 'string' || !['https:', 'http:'].includes(url.protocol) || url.hash !== '') {
    throw badRequest(`${expression} must be an http(s) URL without a fragment`, expression);
  }
  return value;
}

function publicJwks(value: unknown): { keys: Record<string, unknown>[] } {
  const keys = (value as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw badRequest('jwks must be {"keys": [...]} with at least one key', 'jwks');
  return {
    keys: keys.map((k: unknown, i) => {
      const expression = `jwks.keys[${i}]`;
      if (typeof k !== 'object' || k === null) throw badRequest(`${expression} must be a JWK`, expression);
      const jwk = Object.fromEntries(Object.entries(k).filter(([, v]) => typeof v === 'string' || Array.isArray(v)));
      if ('d' in jwk) throw badRequest(`${expression} is a private key: register only the public key`, expression);
      if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') throw badRequest(`${expression} must be an RSA or EC key`, expression);
      try {
        createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      } catch {
        throw badRequest(`${expression} is not a valid public key`, expression);
      }
      return jwk;
    }),
  };
}

/** Checks RFC 7591 metadata and the rules between its fields. */
export function validMetadata(body: Record<string, unknown>): Metadata {
  const method = stringField(body, 'token_endpoint_auth_method', 'client_secret_basic');
  if (!(METHODS as readonly string[]).includes(method)) {
    throw badRequest(`token_endpoint_auth_method must be one of ${METHODS.join(', ')}`, 'token_endpoint_auth_method');
  }
  const grants = body.grant_types ?? ['authorization_code'];
  if (!Array.isArray(grants) || grants.length === 0 || grants.some((g) => !(GRANTS as readonly unknown[]).includes(g))) {
    throw badRequest(`grant_types must be a non-empty list of ${GRANTS.join(', ')}`, 'grant_types');
  }
  const redirects = body.redirect_uris ?? [];
  if (!Array.isArray(redirects)) throw badRequest('redirect_uris must be a list of URLs', 'redirect_uris');
  const redirectUris = redirects.map((u, i) => httpUrl(u, `redirect_uris[${i}]`));
  if (grants.includes('authorization_code') && redirectUris.length === 0) {
    throw badRequest('authorization_code needs at least one redirect_uri', 'redirect_uris');
  }
  if (method === 'none' && grants.includes('client_credentials')) {
    throw badRequest('A public client (none) cannot use client_credentials', 'grant_types');
  }
  const scope = stringField(body, 'scope').trim();
  if (scope === '') throw badRequest('scope must name the most this client may be granted', 'scope');
  if (body.jwks !== undefined && body.jwks_uri !== undefined) throw badRequest('Give jwks or jwks_uri, not both', 'jwks_uri');
  const jwks = body.jwks !== undefined ? publicJwks(body.jwks) : undefined;
  const jwksUri = body.jwks_uri !== undefined ? httpUrl(body.jwks_uri, 'jwks_uri') : undefined;
  if (method === 'private_key_jwt' && !jwks && !jwksUri) throw badRequest('private_key_jwt needs jwks or jwks_uri', 'jwks');
  if (body.admin !== undefined && typeof body.admin !== 'boolean') throw badRequest('admin must be true or false', 'admin');
  return {
    client_name: stringField(body, 'client_name', ''),
    redirect_uris: redirectUris,
    grant_types: grants as Metadata['grant_types'],
    token_endpoint_auth_method: method as Metadata['token_endpoint_auth_method'],
    scope,
    ...(jwks && { jwks }),
    ...(jwksUri && { jwks_uri: jwksUri }),
    admin: body.admin === true,
  };
}

export function clientsRouter(context: AuthContext): Router {
  const router = new Router({ prefix: '/admin/clients' });
  const { clients } = context.collections;
  const found = async (id: string) => {
    const client = await liveClient(context.collections, id);
    if (!client) throw notFound(`No client ${id}`);
    return client;
  };

  router.post('/', async (ctx) => {
    requireAdmin(ctx);
    const body = await jsonObject(context, ctx);
    refuseUnknown(body, METADATA);
    const metadata = validMetadata(body);
    const now = new Date(context.now()).toISOString();
    const needsSecret = metadata.token_endpoint_auth_method.startsWith('client_secret');
    const secret = needsSecret ? randomBytes(32).toString('base64url') : undefined;
    const doc: ClientDocument = {
      _id: randomUUID(),
      ...metadata,
      ...(secret && { secretHash: await hashSecret(secret) }),
      created: now,
      updated: now,
    };
    await clients.write([clients.insert(doc)]);
    sendPlainJson(ctx, 201, { ...clientView(doc), ...(secret && { client_secret: secret, client_secret_expires_at: 0 }) });
  });

  serveReads(router, clients, found, clientView);

  router.patch('/:id', async (ctx) => {
    requireAdmin(ctx);
    const client = await found(ctx.params.id);
    const body = await jsonObject(context, ctx);
    refuseUnknown(body, PATCHABLE);
    const merged = { ...clientView(client), ...body };
    delete merged.client_id;
    delete merged.client_id_issued_at;
    // jwks and jwks_uri exclude each other: setting one drops the other.
    if (body.jwks !== undefined) delete merged.jwks_uri;
    if (body.jwks_uri !== undefined) delete merged.jwks;
    const metadata = validMetadata(merged);
    const next: ClientDocument = { ...client, ...metadata, updated: new Date(context.now()).toISOString() };
    if (!metadata.jwks) delete next.jwks;
    if (!metadata.jwks_uri) delete next.jwks_uri;
    await clients.write([clients.replace(next, { updated: client.updated })]);
    context.cache.invalidate({ clientId: client._id });
    sendPlainJson(ctx, 200, clientView(next));
  });

  router.delete('/:id', async (ctx) => {
    requireAdmin(ctx);
    const client = await found(ctx.params.id);
    const tombstone: ClientDocument = {
      _id: client._id,
      client_name: client.client_name,
      redirect_uris: [],
      grant_types: [],
      token_endpoint_auth_method: client.token_endpoint_auth_method,
      scope: '',
      admin: false,
      deleted: true,
      created: client.created,
      updated: new Date(context.now()).toISOString(),
    };
    await clients.write([clients.replace(tombstone)]);
    context.cache.invalidate({ clientId: client._id });
    ctx.status = 204;
  });

  return router;
}
