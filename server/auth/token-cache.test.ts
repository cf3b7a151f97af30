import assert from 'node:assert/strict';
import { NO_ACCESS } from '../access/access.ts';
import { TokenCache, type CachedToken } from './token-cache.ts';

const entry = (jti: string, extra: Partial<CachedToken> = {}): CachedToken => ({
  principal: { kind: 'client', name: `client/${jti}`, access: NO_ACCESS },
  jti,
  clientId: 'c',
  expires: 10_000,
  recheck: 5_000,
  ...extra,
});

describe('TokenCache (server/auth/token-cache.ts)', () => {
  it('forgets an entry at its expiry or its recheck time, whichever comes first', () => {
    const cache = new TokenCache();
    cache.set('a', entry('a'));
    assert.ok(cache.get('a', 4_999));
    assert.equal(cache.get('a', 5_000), undefined);
    cache.set('b', entry('b', { expires: 3_000 }));
    assert.equal(cache.get('b', 3_000), undefined);
  });

  it('stays bounded, dropping the oldest entry', () => {
    const cache = new TokenCache(2);
    cache.set('a', entry('a'));
    cache.set('b', entry('b'));
    cache.set('c', entry('c'));
    assert.equal(cache.get('a', 0), undefined);
    assert.ok(cache.get('b', 0) && cache.get('c', 0));
  });

  it('invalidates by token id, family, user and client', () => {
    const cache = new TokenCache();
    cache.set('1', entry('1'));
    cache.set('2', entry('2', { family: 'f' }));
    cache.set('3', entry('3', { userId: 'u' }));
    cache.set('4', entry('4', { clientId: 'other' }));
    cache.invalidate({ jti: '1' });
    cache.invalidate({ family: 'f' });
    cache.invalidate({ userId: 'u' });
    assert.deepEqual(
      ['1', '2', '3', '4'].map((t) => cache.get(t, 0) !== undefined),
      [false, false, false, true],
    );
    cache.invalidate({ clientId: 'other' });
    assert.equal(cache.get('4', 0), undefined);
  });
});
