import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../store/embedded/embedded-store.ts';
import { SIGNING_KEY_COLLECTIONS, SigningKeys } from './signing-keys.ts';

const EXPECT = { issuer: 'https://fhir.test/fhir', audience: 'https://fhir.test/fhir' };

describe('SigningKeys (server/auth/signing-keys.ts)', () => {
  let dir: string;
  let store: EmbeddedStore;
  let clock = Date.now();
  const now = () => clock;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fhirline-keys-'));
    store = new EmbeddedStore(dir);
    for (const c of SIGNING_KEY_COLLECTIONS) store.register(c);
    await store.open();
    clock = Date.now();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const token = async (keys: SigningKeys, lifetime = 300) => {
    const iat = Math.floor(clock / 1000);
    return keys.sign({ ...EXPECT, iss: EXPECT.issuer, aud: EXPECT.audience, iat, exp: iat + lifetime, sub: 's' });
  };

  it('two processes on one store share the first key; a rotation in one is verified by the other', async () => {
    const a = new SigningKeys(store, 300, now);
    const b = new SigningKeys(store, 300, now);
    await a.load();
    await b.load();
    assert.deepEqual(await a.jwks(), await b.jwks());
    assert.ok(await b.verify(await token(a), EXPECT));
    await a.rotate();
    const fresh = await token(a);
    assert.ok(await b.verify(fresh, EXPECT), 'an unknown kid makes the other process read the keys again');
  });

  it('a retired key verifies its tokens for their lifetime (and a reload interval), then not at all', async () => {
    const keys = new SigningKeys(store, 300, now);
    await keys.load();
    const old = await token(keys, 300);
    await keys.rotate();
    assert.ok(await keys.verify(old, EXPECT));
    clock += 200_000;
    assert.ok(await keys.verify(old, EXPECT));
    clock += 200_000;
    assert.equal(await keys.verify(old, EXPECT), undefined, 'expired');
    assert.equal((await keys.jwks()).keys.length, 1, 'the retired key is no longer published');
  });

  it('refuses another issuer or audience', async () => {
    const keys = new SigningKeys(store, 300, now);
    await keys.load();
    const t = await token(keys);
    assert.equal(await keys.verify(t, { ...EXPECT, issuer: 'https://other.test' }), undefined);
    assert.equal(await keys.verify(t, { ...EXPECT, audience: 'https://other.test' }), undefined);
  });
});
