/**
 * CORS for browser apps on their own origin (SMART apps: discovery, the token endpoint, FHIR reads and writes).
 * Bearer tokens travel in the Authorization header, never in cookies, so any origin may call with them
 * (`Access-Control-Allow-Origin: *`, no credentials). The sign-in pages are navigated to, not fetched, and get
 * no CORS; neither does the admin API, which no browser app needs. A preflight is answered before the bearer
 * check: it carries no token. https://fetch.spec.whatwg.org/#http-cors-protocol
 */
import cors from '@koa/cors';
import type { Context, Middleware, Next } from 'koa';

const CORS_PATHS = /^\/(fhir(\/|$)|\.well-known\/|oauth2\/(token|revoke|introspect|jwks)$)/;

const allowCors = cors({
  origin: '*',
  allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowHeaders: ['authorization', 'content-type', 'accept', 'if-match', 'if-none-match', 'if-none-exist', 'if-modified-since', 'prefer'],
  exposeHeaders: ['location', 'etag', 'last-modified', 'content-location', 'www-authenticate'],
  maxAge: 600,
});

export function corsForApps(): Middleware {
  return (ctx: Context, next: Next) => (CORS_PATHS.test(ctx.path) ? allowCors(ctx, next) : next());
}
