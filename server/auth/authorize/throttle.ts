/**
 * Failed sign-ins lock a username for 15 minutes after 5 failures within 15 minutes, whether or not the username
 * exists, so the lock itself tells nothing (https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#account-lockout).
 * One document per username, `_id` = SHA-256 of its lower-case form; concurrent failures are serialised by the
 * store's `expect` on the count, so parallel guesses cannot slip past the limit.
 */
import type { Engine, StoredDocument } from '../../engine/index.ts';
import { PreconditionFailedError } from '../../store/port.ts';
import { sha256Hex } from './random-id.ts';

export const AUTH_LOGIN_THROTTLE = 'auth_login_throttle';
export const MAX_FAILURES = 5;
export const LOCK_MS = 15 * 60 * 1000;

interface ThrottleDocument extends StoredDocument {
  failures: number;
  /** ISO instant of the first failure counted. */
  since: string;
  lockedUntil?: string;
}

export function loginThrottle(engine: Engine) {
  const collection = engine.collection<ThrottleDocument>(AUTH_LOGIN_THROTTLE);
  const idOf = (usernameKey: string) => sha256Hex(usernameKey);

  return {
    async locked(usernameKey: string, now = new Date()): Promise<boolean> {
      const doc = await collection.findOne({ _id: idOf(usernameKey) });
      return doc?.lockedUntil !== undefined && doc.lockedUntil > now.toISOString();
    },

    /**
     * Counts an attempt as a failure before its password is checked (recordSuccess takes it back), so parallel
     * guesses cannot all pass a check made before any of them failed: false when the username is locked.
     */
    async admit(usernameKey: string, now = new Date()): Promise<boolean> {
      for (;;) {
        const old = await collection.findOne({ _id: idOf(usernameKey) });
        if (old?.lockedUntil !== undefined && old.lockedUntil > now.toISOString()) return false;
        const fresh = !old || Date.parse(old.since) + LOCK_MS <= now.getTime();
        const failures = fresh ? 1 : old.failures + 1;
        const doc: ThrottleDocument = {
          _id: idOf(usernameKey),
          failures,
          since: fresh ? now.toISOString() : old.since,
          ...(failures >= MAX_FAILURES && { lockedUntil: new Date(now.getTime() + LOCK_MS).toISOString() }),
        };
        try {
          await collection.write([collection.replace(doc, old ? { failures: old.failures, since: old.since } : null)]);
          return true;
        } catch (err) {
          // Another attempt on this username was counted first: count this one after it.
          if (!(err instanceof PreconditionFailedError)) throw err;
        }
      }
    },

    /** The attempt admitted was right: its count, and any earlier failures, are forgotten. */
    async recordSuccess(usernameKey: string, now = new Date()): Promise<void> {
      await collection.write([collection.replace({ _id: idOf(usernameKey), failures: 0, since: now.toISOString() })]);
    },
  };
}
