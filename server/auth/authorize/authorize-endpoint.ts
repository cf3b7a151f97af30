/**
 * `GET` and `POST /oauth2/authorize` (SMART `authorize-post`: the same parameters form-encoded): checks the
 * request (request.ts), then starts a sign-in session and sends the browser to the login page.
 */
import type { Context } from 'koa';
import type { Engine } from '../../engine/index.ts';
import { readFormBody } from '../../http/body.ts';
import { redirectTo, sendErrorPage } from './html.ts';
import { checkAuthorizeRequest, redirectWith } from './request.ts';
import type { Sessions } from './session.ts';
import { PATHS } from './steps.ts';

const MAX_REQUEST_BYTES = 64 * 1024;

export function authorizeEndpoint(engine: Engine, sessions: Sessions) {
  return async (ctx: Context): Promise<void> => {
    const params =
      ctx.method === 'POST' ? new URLSearchParams(await readFormBody(ctx, MAX_REQUEST_BYTES)) : new URLSearchParams(ctx.querystring);
    const check = await checkAuthorizeRequest(engine, params);
    if (!check.ok && 'page' in check) return sendErrorPage(ctx, 400, check.page);
    if (!check.ok) {
      const target = redirectWith(check.redirectUri, { error: check.error, error_description: check.description, state: check.state });
      return redirectTo(ctx, target, check.redirectUri);
    }
    await sessions.start(ctx, check.request);
    redirectTo(ctx, PATHS.login, check.request.redirectUri);
  };
}
