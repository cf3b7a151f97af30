/**
 * Discovery: `/fhir/.well-known/smart-configuration` (https://hl7.org/fhir/smart-app-launch/conformance.html#metadata)
 * and the OpenID Provider metadata (https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata),
 * served at the issuer's `/.well-known/openid-configuration` (the issuer is BASE_URL) and at the root.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AuthUrls } from './context.ts';
import { NON_RESOURCE_SCOPES } from '../access/scopes.ts';

const CAPABILITIES = [
  'launch-ehr',
  'launch-standalone',
  'client-public',
  'client-confidential-symmetric',
  'client-confidential-asymmetric',
  'context-ehr-patient',
  'context-ehr-encounter',
  'context-standalone-patient',
  'permission-offline',
  'permission-online',
  'permission-patient',
  'permission-user',
  'permission-v1',
  'permission-v2',
  'sso-openid-connect',
  'authorize-post',
];

const SCOPES = [...NON_RESOURCE_SCOPES, 'patient/*.*', 'patient/*.cruds', 'user/*.*', 'user/*.cruds', 'system/*.*', 'system/*.cruds'];

/** What both documents say alike. */
function endpoints(urls: AuthUrls): Record<string, unknown> {
  return {
    issuer: urls.issuer,
    jwks_uri: urls.jwks,
    authorization_endpoint: urls.authorize,
    token_endpoint: urls.token,
    introspection_endpoint: urls.introspect,
    revocation_endpoint: urls.revoke,
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    scopes_supported: SCOPES,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
  };
}

export function smartConfiguration(urls: AuthUrls): Record<string, unknown> {
  return { ...endpoints(urls), capabilities: CAPABILITIES };
}

export function openidConfiguration(urls: AuthUrls): Record<string, unknown> {
  return {
    ...endpoints(urls),
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'nonce', 'fhirUser'],
  };
}

export function discoveryRouter(urls: AuthUrls): Router {
  const router = new Router();
  const send = (body: Record<string, unknown>) => (ctx: Context) => {
    ctx.set('Cache-Control', 'max-age=300');
    ctx.type = 'application/json';
    ctx.body = body;
  };
  router.get('/fhir/.well-known/smart-configuration', send(smartConfiguration(urls)));
  router.get('/fhir/.well-known/openid-configuration', send(openidConfiguration(urls)));
  router.get('/.well-known/openid-configuration', send(openidConfiguration(urls)));
  router.get('/.well-known/smart-configuration', send(smartConfiguration(urls)));
  return router;
}
