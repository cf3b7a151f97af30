import assert from 'node:assert/strict';
import { startAuthorizeApp, type AuthorizeApp } from './testing/authorize-app.ts';
import { LOCK_MS, loginThrottle, MAX_FAILURES } from './throttle.ts';

describe('auth/authorize/throttle: failed sign-ins lock a username for 15 minutes', () => {
  let t: AuthorizeApp;
  before(async () => (t = await startAuthorizeApp()));
  after(() => t.close());

  const at = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);

  it('locks after 5 failures within 15 minutes, refuses the next attempt, and unlocks 15 minutes after the fifth', async () => {
    const throttle = loginThrottle(t.engine);
    for (let i = 0; i < MAX_FAILURES - 1; i++) await throttle.admit('carol', at(i * 1000));
    assert.equal(await throttle.locked('carol', at(5000)), false, '4 failures do not lock');
    await throttle.admit('carol', at(60_000));
    assert.equal(await throttle.locked('carol', at(61_000)), true);
    assert.equal(await throttle.admit('carol', at(61_000)), false);
    assert.equal(await throttle.locked('carol', at(60_000 + LOCK_MS - 1)), true);
    assert.equal(await throttle.locked('carol', at(60_000 + LOCK_MS)), false);
  });

  it('forgets failures older than 15 minutes, and a success resets the count', async () => {
    const throttle = loginThrottle(t.engine);
    for (let i = 0; i < MAX_FAILURES - 1; i++) await throttle.admit('dave', at(i));
    await throttle.admit('dave', at(LOCK_MS + 10));
    assert.equal(await throttle.locked('dave', at(LOCK_MS + 20)), false, 'the fifth came after the window');
    for (let i = 0; i < MAX_FAILURES - 2; i++) await throttle.admit('dave', at(LOCK_MS + 30 + i));
    await throttle.recordSuccess('dave', at(LOCK_MS + 40));
    await throttle.admit('dave', at(LOCK_MS + 50));
    assert.equal(await throttle.locked('dave', at(LOCK_MS + 60)), false);
  });

  it('admits at most 5 of many parallel attempts', async () => {
    const throttle = loginThrottle(t.engine);
    const admitted = await Promise.all(Array.from({ length: 12 }, () => throttle.admit('erin', at(0))));
    assert.equal(admitted.filter(Boolean).length, MAX_FAILURES);
    assert.equal(await throttle.locked('erin', at(1)), true);
  });
});
