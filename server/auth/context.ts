/**
 * What every part of the authorization server shares: settings, the collections, the signing keys, the cache of
 * verified tokens, and the URLs it answers on.
 */
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/port.ts';
import type { AuthCollections } from './auth-collections.ts';
import type { SigningKeys } from './signing-keys.ts';
import type { TokenCache } from './token-cache.ts';

export interface AuthUrls {
  /** `iss` of every token: BASE_URL itself, so OpenID discovery at `{iss}/.well-known/openid-configuration` works. */
  issuer: string;
  /** `aud` of access tokens: the FHIR base URL. */
  audience: string;
  authorize: string;
  token: string;
  introspect: string;
  revoke: string;
  jwks: string;
  /** Where the admin API lives, for client management links. */
  registration: string;
}

export interface AuthContext {
  config: Config;
  store: Store;
  logger: Logger;
  collections: AuthCollections;
  keys: SigningKeys;
  cache: TokenCache;
  urls: AuthUrls;
  now(): number;
}

/**
 * The OAuth endpoints sit beside `/fhir` at the root of this server; BASE_URL's path before `/fhir` (a reverse
 * proxy's prefix) is kept.
 */
export function authUrls(baseUrl: string): AuthUrls {
  const root = baseUrl.replace(/\/fhir$/, '');
  return {
    issuer: baseUrl,
    audience: baseUrl,
    authorize: `${root}/oauth2/authorize`,
    token: `${root}/oauth2/token`,
    introspect: `${root}/oauth2/introspect`,
    revoke: `${root}/oauth2/revoke`,
    jwks: `${root}/oauth2/jwks`,
    registration: `${root}/admin/clients`,
  };
}

export function nowSeconds(context: AuthContext): number {
  return Math.floor(context.now() / 1000);
}
