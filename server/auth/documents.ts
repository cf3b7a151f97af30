/**
 * What the authorization server keeps, through the storage port like everything else (collections registered with
 * AUTH_COLLECTIONS, server/auth/auth-collections.ts). Secrets are never stored in clear: client secrets and
 * passwords as scrypt hashes (secret-hash.ts), codes, refresh tokens, launch and session ids as their SHA-256 (`_id`).
 */
import type { StoredDocument } from '../store/port.ts';
import type { Role } from '../engine/principal.ts';

export const AUTH_CLIENTS = 'auth_clients';
export const AUTH_USERS = 'auth_users';
export const AUTH_CODES = 'auth_codes';

/** A registered client, RFC 7591 metadata plus what Fhirline adds. `_id` is the client_id. */
export interface ClientDocument extends StoredDocument {
  client_name: string;
  redirect_uris: string[];
  grant_types: ('authorization_code' | 'refresh_token' | 'client_credentials')[];
  token_endpoint_auth_method: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
  /** The most this client may ever be granted, space-separated SMART scopes. */
  scope: string;
  jwks?: { keys: Record<string, unknown>[] };
  jwks_uri?: string;
  /** scrypt hash of the client secret (secret-hash.ts), for client_secret_basic/post. */
  secretHash?: string;
  /** May use the admin API and admin operations (the bootstrap client). */
  admin: boolean;
  /** DELETE /admin/clients/{id} keeps a tombstone (the port has no delete): no grant type, secret or redirect left. */
  deleted?: boolean;
  created: string;
  updated: string;
}

/** A person who signs in. `_id` is a generated id; `username` is unique (its lower-case form in `usernameKey`). */
export interface UserDocument extends StoredDocument {
  username: string;
  usernameKey: string;
  passwordHash: string;
  role: Role;
  /** `Practitioner/1`, `Patient/2`, `RelatedPerson/3`. */
  fhirUser: string;
  active: boolean;
  /**
   * Tokens issued before this instant (seconds since the epoch) are dead: set when the user is deactivated,
   * deleted or gets a new password, so that their tokens stop working at once.
   */
  tokensNotBefore?: number;
  /** DELETE /admin/users/{id} keeps a tombstone: inactive, `usernameKey` freed for a new account. */
  deleted?: boolean;
  created: string;
  updated: string;
}

/**
 * An authorization code (https://hl7.org/fhir/smart-app-launch/app-launch.html#obtain-authorization-code), single
 * use, at most 60 s, bound to client, redirect_uri and the PKCE challenge. `_id` = SHA-256 (hex) of the code.
 * Written by the authorize endpoint once the user consents; exchanged by the token endpoint.
 */
export interface AuthorizationCodeDocument extends StoredDocument {
  clientId: string;
  redirectUri: string;
  /** S256 code_challenge, base64url. */
  codeChallenge: string;
  userId: string;
  /** The scopes granted (already narrowed to what the client and the user's role may have). */
  scope: string;
  /** Launch context ids, without the type: `123` for Patient/123. */
  patient?: string;
  encounter?: string;
  nonce?: string;
  /** ISO instant. */
  expires: string;
  /** Set on the first exchange; a second exchange fails and revokes what the first issued (its `family`). */
  used: boolean;
  /** The refresh family the first exchange started, to revoke on reuse. */
  family?: string;
}
