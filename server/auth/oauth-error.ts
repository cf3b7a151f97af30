/**
 * OAuth error answers (https://www.rfc-editor.org/rfc/rfc6749#section-5.2): JSON `error` and `error_description`,
 * 400, or 401 with `WWW-Authenticate` for `invalid_client`. They are not FHIR answers, so not OperationOutcomes.
 */
import type { Context } from 'koa';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'server_error';

export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

export function sendOAuthError(ctx: Context, err: OAuthError): void {
  ctx.status = err.error === 'invalid_client' ? 401 : err.error === 'server_error' ? 500 : 400;
  if (err.error === 'invalid_client') ctx.set('WWW-Authenticate', 'Basic realm="fhirline"');
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
  ctx.type = 'application/json';
  ctx.body = { error: err.error, error_description: err.description };
}

/** Runs an OAuth endpoint, turning OAuthErrors into their JSON answer. */
export async function oauthAnswer(ctx: Context, run: () => Promise<unknown>): Promise<void> {
  try {
    const body = await run();
    ctx.status = 200;
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    ctx.type = 'application/json';
    ctx.body = body;
  } catch (err) {
    if (err instanceof OAuthError) return sendOAuthError(ctx, err);
    throw err;
  }
}
