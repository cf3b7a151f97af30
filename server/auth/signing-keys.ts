/**
 * The keys that sign Fhirline's tokens: ES256 (P-256, node:crypto), generated on first start and kept in the store
 * (`auth_keys`), never in the repository. One key signs; after a rotation the previous one still verifies until
 * the tokens it signed have expired. The public parts are the JWKS at `/oauth2/jwks`
 * (https://www.rfc-editor.org/rfc/rfc7517). Verification pins ES256 and picks the key by `kid`, so `alg: none`,
 * HS256 signed with a public key and keys of anyone else are refused (https://www.rfc-editor.org/rfc/rfc8725#section-3.1).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { CollectionSpec, Store, StoredDocument } from '../store/port.ts';
import { featureCollection } from '../engine/feature-collection.ts';

export const AUTH_KEYS = 'auth_keys';
export const SIGNING_KEY_COLLECTIONS: CollectionSpec[] = [{ name: AUTH_KEYS, indexes: [] }];

const ALG = 'ES256';
/** Other processes on the same MongoDB may rotate: the key set is read again at most this often. */
const RELOAD_MS = 60_000;

export interface SigningKeyDocument extends StoredDocument {
  /** The JWK `kid`. */
  _id: string;
  alg: typeof ALG;
  /** PKCS#8 PEM. */
  privateKey: string;
  publicJwk: Record<string, unknown>;
  created: string;
  /** Set when a newer key took over; the key verifies until `retired` + the longest token lifetime. */
  retired?: string;
}

interface LoadedKey {
  doc: SigningKeyDocument;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface VerifyExpect {
  issuer: string;
  audience: string;
}

export class SigningKeys {
  private keys: LoadedKey[] = [];
  private loadedAt = 0;
  private missReloadAt = 0;

  constructor(
    private readonly store: Store,
    /** How long a retired key keeps verifying: the longest lifetime of a token it signed, seconds. */
    private readonly graceSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads the keys, creating the first one when there is none. */
  async load(): Promise<void> {
    const docs = await featureCollection<SigningKeyDocument>(this.store, AUTH_KEYS).find({});
    if (!docs.some((d) => !d.retired)) {
      docs.push(await this.insertNew());
    }
    this.keys = docs.map((doc) => ({ doc, privateKey: createPrivateKey(doc.privateKey), publicKey: createPublicKey(doc.privateKey) }));
    this.loadedAt = this.now();
  }

  /** A new key signs from now on; the previous one is retired and still verifies what it signed. */
  async rotate(): Promise<string> {
    await this.load();
    const collection = featureCollection<SigningKeyDocument>(this.store, AUTH_KEYS);
    const retired = new Date(this.now()).toISOString();
    const current = this.keys.filter((k) => !k.doc.retired).map((k) => k.doc);
    const next = newKeyDocument(this.now());
    await collection.write([
      ...current.map((doc) => collection.replace({ ...doc, retired }, { retired: { $exists: false } })),
      collection.insert(next),
    ]);
    await this.load();
    return next._id;
  }

  async sign(payload: Record<string, unknown>): Promise<string> {
    await this.fresh();
    const key = this.signingKey();
    // `iat` and `exp` come in the payload, on this server's clock.
    return jwt.sign(payload, key.privateKey, { algorithm: ALG, keyid: key.doc._id });
  }

  /**
   * The verified payload, or undefined for any token that is malformed, not ES256, signed by an unknown or
   * expired key, expired, or issued by another issuer or for another audience.
   */
  async verify(token: string, expect: VerifyExpect): Promise<jwt.JwtPayload | undefined> {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || decoded.header.alg !== ALG || typeof decoded.header.kid !== 'string') return undefined;
    await this.fresh();
    let key = this.verifyingKey(decoded.header.kid);
    // Another process may have rotated; tokens with made-up kids make this read at most once a second.
    if (!key && this.now() - this.missReloadAt > 1_000) {
      this.missReloadAt = this.now();
      await this.load();
      key = this.verifyingKey(decoded.header.kid);
    }
    if (!key) return undefined;
    try {
      const payload = jwt.verify(token, key.publicKey, {
        algorithms: [ALG],
        issuer: expect.issuer,
        audience: expect.audience,
        clockTimestamp: Math.floor(this.now() / 1000),
      });
      if (typeof payload === 'string' || typeof payload.exp !== 'number') return undefined;
      return payload;
    } catch {
      return undefined;
    }
  }

  /** The public keys that still verify, as a JWK Set. */
  async jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    await this.fresh();
    return { keys: this.keys.filter((k) => this.verifies(k)).map((k) => k.doc.publicJwk) };
  }

  private async fresh(): Promise<void> {
    if (this.keys.length === 0 || this.now() - this.loadedAt > RELOAD_MS) await this.load();
  }

  private signingKey(): LoadedKey {
    const active = this.keys.filter((k) => !k.doc.retired).sort((a, b) => (a.doc.created < b.doc.created ? 1 : -1));
    if (!active[0]) throw new Error('no active signing key');
    return active[0];
  }

  private verifyingKey(kid: string): LoadedKey | undefined {
    const key = this.keys.find((k) => k.doc._id === kid);
    return key && this.verifies(key) ? key : undefined;
  }

  private verifies(key: LoadedKey): boolean {
    if (!key.doc.retired) return true;
    // Another process signs with a retired key until it reloads (RELOAD_MS): its tokens live that much longer.
    return Date.parse(key.doc.retired) + this.graceSeconds * 1000 + RELOAD_MS > this.now();
  }

  private async insertNew(): Promise<SigningKeyDocument> {
    const doc = newKeyDocument(this.now());
    await featureCollection<SigningKeyDocument>(this.store, AUTH_KEYS).write([{ op: 'replace', collection: AUTH_KEYS, doc, expect: null }]);
    return doc;
  }
}

function newKeyDocument(now: number): SigningKeyDocument {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomBytes(12).toString('base64url');
  return {
    _id: kid,
    alg: ALG,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: ALG, use: 'sig' },
    created: new Date(now).toISOString(),
  };
}
