/**
 * The authorization server's own collections beside documents.ts's clients, users and codes: refresh tokens,
 * revocations, client-assertion `jti`s and the username guard. All through the storage port (featureCollection).
 */
import { createHash } from 'node:crypto';
import type { CollectionSpec, Store, StoredDocument } from '../store/port.ts';
import { featureCollection, type FeatureCollection } from '../engine/feature-collection.ts';
import {
  AUTH_CLIENTS,
  AUTH_CODES,
  AUTH_USERS,
  type AuthorizationCodeDocument,
  type ClientDocument,
  type UserDocument,
} from './documents.ts';
import { AUTHORIZE_COLLECTIONS } from './authorize/routes.ts';
import { SIGNING_KEY_COLLECTIONS } from './signing-keys.ts';

export const AUTH_REFRESH_TOKENS = 'auth_refresh_tokens';
export const AUTH_REVOCATIONS = 'auth_revocations';
export const AUTH_ASSERTION_JTIS = 'auth_assertion_jtis';
export const AUTH_USERNAMES = 'auth_usernames';

/** A refresh token (https://www.rfc-editor.org/rfc/rfc6749#section-6), `_id` = SHA-256 (hex) of the token. */
export interface RefreshTokenDocument extends StoredDocument {
  /** Every token rotated from one grant shares it; a reused token revokes the whole family. */
  family: string;
  clientId: string;
  userId: string;
  /** The most any token of the family may be granted (the first grant's scope). */
  scope: string;
  patient?: string;
  encounter?: string;
  /** Seconds since the epoch when the family was first granted (compared with the user's `tokensNotBefore`). */
  familyIssued: number;
  /** ISO instant. */
  expires: string;
  used: boolean;
}

/** `_id`: `jti:<jti>` (one access token) or `family:<family>` (every token of a grant). */
export interface RevocationDocument extends StoredDocument {
  /** ISO instant after which the revoked tokens have expired anyway. */
  expires: string;
}

/** A client assertion's `jti` once seen (`_id` = `<client_id> <jti>`), so that a replay is refused. */
export interface AssertionJtiDocument extends StoredDocument {
  expires: string;
}

/** `_id` = the lower-case username; makes usernames unique across concurrent creates. */
export interface UsernameDocument extends StoredDocument {
  /** The account holding the name, null once it was deleted. */
  userId: string | null;
}

export const AUTH_COLLECTIONS: CollectionSpec[] = [
  { name: AUTH_CLIENTS, indexes: [] },
  { name: AUTH_USERS, indexes: [['usernameKey']] },
  { name: AUTH_CODES, indexes: [] },
  { name: AUTH_REFRESH_TOKENS, indexes: [['family'], ['userId']] },
  { name: AUTH_REVOCATIONS, indexes: [] },
  { name: AUTH_ASSERTION_JTIS, indexes: [] },
  { name: AUTH_USERNAMES, indexes: [] },
  ...SIGNING_KEY_COLLECTIONS,
  // The authorize endpoint's sessions, EHR launches and sign-in throttle.
  ...AUTHORIZE_COLLECTIONS,
];

export interface AuthCollections {
  clients: FeatureCollection<ClientDocument>;
  users: FeatureCollection<UserDocument>;
  codes: FeatureCollection<AuthorizationCodeDocument>;
  refreshTokens: FeatureCollection<RefreshTokenDocument>;
  revocations: FeatureCollection<RevocationDocument>;
  assertionJtis: FeatureCollection<AssertionJtiDocument>;
  usernames: FeatureCollection<UsernameDocument>;
}

export function authCollections(store: Store): AuthCollections {
  return {
    clients: featureCollection(store, AUTH_CLIENTS),
    users: featureCollection(store, AUTH_USERS),
    codes: featureCollection(store, AUTH_CODES),
    refreshTokens: featureCollection(store, AUTH_REFRESH_TOKENS),
    revocations: featureCollection(store, AUTH_REVOCATIONS),
    assertionJtis: featureCollection(store, AUTH_ASSERTION_JTIS),
    usernames: featureCollection(store, AUTH_USERNAMES),
  };
}

/** Codes, refresh tokens and other bearer secrets are stored as their SHA-256, never in clear. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** A client that exists and was not deleted. */
export async function liveClient(c: AuthCollections, clientId: string): Promise<ClientDocument | undefined> {
  const client = await c.clients.findOne({ _id: clientId });
  return client && !client.deleted ? client : undefined;
}
