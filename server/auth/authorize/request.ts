/**
 * Checks an authorize request (https://hl7.org/fhir/smart-app-launch/app-launch.html#obtain-authorization-code,
 * RFC 6749 §4.1.1). Until client_id and redirect_uri are known good, a failure is an error page and never a
 * redirect (RFC 6749 §4.1.2.1: no open redirector); after that, failures go back to the app as `error`,
 * `error_description` and `state`.
 */
import type { Engine } from '../../engine/index.ts';
import { grantScopes } from '../../access/grant-scopes.ts';
import { AUTH_CLIENTS, type ClientDocument } from '../documents.ts';
import { consumeLaunch } from './launch.ts';
import type { PendingRequest } from './session.ts';

/** Error codes of RFC 6749 §4.1.2.1. */
export type AuthorizeErrorCode =
  'invalid_request' | 'unauthorized_client' | 'access_denied' | 'unsupported_response_type' | 'invalid_scope';

export type AuthorizeCheck =
  | { ok: true; request: PendingRequest }
  /** The request cannot be trusted to name the app: an error page. */
  | { ok: false; page: string }
  /** The app is known: the error goes back to it. */
  | { ok: false; redirectUri: string; state?: string; error: AuthorizeErrorCode; description: string };

const SINGLE = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'aud',
  'launch',
  'code_challenge',
  'code_challenge_method',
  'nonce',
];
/** RFC 7636 §4.2: base64url of a SHA-256 is 43 characters; the grammar allows up to 128. */
const CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;

export async function checkAuthorizeRequest(engine: Engine, params: URLSearchParams): Promise<AuthorizeCheck> {
  const clientId = params.getAll('client_id');
  const redirect = params.getAll('redirect_uri');
  const client =
    clientId.length === 1 && clientId[0] ? await engine.collection<ClientDocument>(AUTH_CLIENTS).findOne({ _id: clientId[0] }) : undefined;
  if (!client) return { ok: false, page: 'The application (client_id) is not registered with this server.' };
  if (redirect.length !== 1 || !client.redirect_uris.includes(redirect[0]!)) {
    return { ok: false, page: 'The redirect_uri is not one registered for this application.' };
  }
  const redirectUri = redirect[0]!;
  const states = params.getAll('state');
  const state = states.length === 1 ? states[0] : undefined;
  const fail = (error: AuthorizeErrorCode, description: string): AuthorizeCheck => ({ ok: false, redirectUri, state, error, description });

  // RFC 6749 §3.1: request parameters must not appear more than once.
  const repeated = SINGLE.find((name) => params.getAll(name).length > 1);
  if (repeated) return fail('invalid_request', `${repeated} is given more than once`);
  const responseType = params.get('response_type');
  if (!responseType) return fail('invalid_request', 'response_type is missing');
  if (responseType !== 'code') return fail('unsupported_response_type', 'response_type must be code');
  if (!client.grant_types.includes('authorization_code'))
    return fail('unauthorized_client', 'This client may not use the authorization code grant');
  // SMART App Launch 2.0 makes state required (it carries the app's CSRF protection).
  if (!state) return fail('invalid_request', 'state is missing');
  const method = params.get('code_challenge_method');
  const challenge = params.get('code_challenge');
  if (method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256 (PKCE)');
  if (!challenge || !CHALLENGE.test(challenge)) return fail('invalid_request', 'code_challenge is missing or malformed (PKCE S256)');
  const aud = params.get('aud');
  if (!aud || aud.replace(/\/+$/, '') !== engine.config.baseUrl)
    return fail('invalid_request', `aud must be this server's FHIR base URL ${engine.config.baseUrl}`);
  const requested = params.get('scope') ?? '';
  const scope = grantScopes(requested, client.scope);
  if (!scope) return fail('invalid_scope', 'None of the requested scopes may be granted to this client');

  const launch = params.get('launch');
  const context = launch ? await consumeLaunch(engine, launch) : {};
  if (!context) return fail('invalid_request', 'launch is unknown, expired or already used');
  const nonce = params.get('nonce') ?? undefined;
  const request: PendingRequest = {
    clientId: client._id,
    clientName: client.client_name,
    redirectUri,
    state,
    scope,
    codeChallenge: challenge,
    ...(nonce && { nonce }),
    ...context,
    wantsPatient: scope.split(' ').includes('launch/patient') && !context.patient,
  };
  return { ok: true, request };
}

/** `redirect_uri` with the answer's parameters added to the query it may already have (RFC 6749 §4.1.2). */
export function redirectWith(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.append(name, value);
  return url.toString();
}
