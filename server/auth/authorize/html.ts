/**
 * The authorization pages' HTML: every value is escaped where it is written (`markup` tagged template), the one
 * stylesheet is inline and allowed by its hash, and every answer carries the headers that keep the pages out of
 * frames and caches (https://www.rfc-editor.org/rfc/rfc9700#section-4.16 on clickjacking).
 */
import { createHash } from 'node:crypto';
import type { Context } from 'koa';

/** Text already escaped; only `markup` and `raw` make one. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

type Interpolated = SafeHtml | string | number | undefined | readonly (SafeHtml | string)[];

function render(value: Interpolated): string {
  if (value === undefined) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map((v) => render(v)).join('');
  return escapeHtml(String(value));
}

/** A template whose interpolations are escaped unless they are SafeHtml themselves. */
export function markup(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => (out += render(v) + strings[i + 1]!));
  return new SafeHtml(out);
}

const STYLE = [
  'body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}',
  'h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}',
  'input{width:100%;padding:.4rem;box-sizing:border-box}',
  'button{margin:1rem .5rem 0 0;padding:.5rem 1.2rem}',
  '.error{color:#a00000}ul{padding-left:1.2rem}li{margin:.3rem 0}',
  'form.inline{display:inline}',
].join('');
/** One line, exactly the text hashed into the CSP. */
const STYLE_ELEMENT = new SafeHtml(`<style>${STYLE}</style>`);
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/**
 * `form-action` lists the app's redirect target: browsers apply it to the redirect that follows a form post
 * (https://www.w3.org/TR/CSP3/#directive-form-action), and consent answers with a 303 to the app.
 */
export function contentSecurityPolicy(redirectUri?: string): string {
  const formAction = ["'self'", ...(redirectUri ? [sourceOf(redirectUri)] : [])].join(' ');
  return ["default-src 'none'", `style-src ${STYLE_HASH}`, `form-action ${formAction}`, "frame-ancestors 'none'", "base-uri 'none'"].join(
    '; ',
  );
}

/** The CSP source expression of a registered redirect URI: its origin, or `scheme:` for an app's own scheme. */
function sourceOf(uri: string): string {
  const url = new URL(uri);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
}

/** Headers of every answer under /oauth2, pages and redirects alike. */
export function setPageHeaders(ctx: Context, redirectUri?: string): void {
  ctx.set('Content-Security-Policy', contentSecurityPolicy(redirectUri));
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
  ctx.set('X-Content-Type-Options', 'nosniff');
  // The authorization code and state travel in URLs: no page sends them on as a Referer.
  ctx.set('Referrer-Policy', 'no-referrer');
}

/** Sends a whole page. */
export function sendPage(ctx: Context, status: number, title: string, body: SafeHtml, redirectUri?: string): void {
  setPageHeaders(ctx, redirectUri);
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = markup`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} - Fhirline</title>${STYLE_ELEMENT}</head>
<body>
<h1>${title}</h1>
${body}
</body>
</html>
`.text;
}

/** A page that explains a request that cannot go on (never a redirect: the target may not be the app's). */
export function sendErrorPage(ctx: Context, status: number, message: string): void {
  sendPage(
    ctx,
    status,
    'This sign-in cannot continue',
    markup`<p class="error">${message}</p>
      <p>Return to the application and start again.</p>`,
  );
}

/** A redirect to `location`: 303 after a post (the browser follows it with GET, RFC 9110 §15.4.4), else 302. */
export function redirectTo(ctx: Context, location: string, redirectUri?: string): void {
  setPageHeaders(ctx, redirectUri);
  ctx.status = ctx.method === 'POST' ? 303 : 302;
  ctx.set('Location', location);
  ctx.body = '';
}
