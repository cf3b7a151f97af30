/**
 * Passwords and client secrets are stored as scrypt hashes with a per-secret salt (node:crypto), compared in
 * constant time. Format: `scrypt$<N>$<salt base64url>$<hash base64url>`.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const N = 16384;
const KEY_LENGTH = 32;

function derive(secret: string, salt: Buffer, n: number): Promise<Buffer> {
  return new Promise((ok, fail) => {
    scrypt(secret, salt, KEY_LENGTH, { N: n, r: 8, p: 1 }, (err, key) => (err ? fail(err) : ok(key)));
  });
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, N);
  return `scrypt$${N}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(secret, Buffer.from(salt, 'base64url'), Number(n));
  return key.length === expected.length && timingSafeEqual(key, expected);
}
