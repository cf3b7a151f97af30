/**
 * The first admin client (DESIGN.md, runtime contract): with BOOTSTRAP_CLIENT_ID/SECRET set, that client is
 * created or updated from them; without them and with no client at all, one is generated and its credentials
 * written to `DATA_DIR/bootstrap-credentials.json` (mode 0600). Only the file's path is logged, never the secret.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ClientDocument } from './documents.ts';
import type { AuthContext } from './context.ts';
import { hashSecret, verifySecret } from './secret-hash.ts';

export const BOOTSTRAP_FILE = 'bootstrap-credentials.json';
const BOOTSTRAP_SCOPE = 'system/*.*';

export async function bootstrapClient(context: AuthContext): Promise<void> {
  const { config, collections, logger } = context;
  const { clients } = collections;
  const now = new Date(context.now()).toISOString();
  const desired = (id: string, secretHash: string, created: string): ClientDocument => ({
    _id: id,
    client_name: 'Fhirline bootstrap admin client',
    redirect_uris: [],
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: BOOTSTRAP_SCOPE,
    secretHash,
    admin: true,
    created,
    updated: now,
  });
  if (config.bootstrapClientId && config.bootstrapClientSecret) {
    const id = config.bootstrapClientId;
    const existing = await clients.findOne({ _id: id });
    const sameSecret = existing?.secretHash !== undefined && (await verifySecret(config.bootstrapClientSecret, existing.secretHash));
    const secretHash = sameSecret ? existing!.secretHash! : await hashSecret(config.bootstrapClientSecret);
    await clients.write([clients.replace(desired(id, secretHash, existing?.created ?? now))]);
    context.cache.invalidate({ clientId: id });
    logger.info('bootstrap client set from BOOTSTRAP_CLIENT_ID', { clientId: id });
    return;
  }
  if (config.bootstrapClientId || config.bootstrapClientSecret) {
    throw new Error('Set both BOOTSTRAP_CLIENT_ID and BOOTSTRAP_CLIENT_SECRET, or neither');
  }
  if ((await clients.count({ deleted: { $ne: true } })) > 0) return;
  const id = `admin-${randomBytes(6).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  const dir = resolve(config.dataDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, BOOTSTRAP_FILE);
  // The file is written (0600) before the client exists, so a crash in between never leaves a client nobody knows.
  writeFileSync(path, `${JSON.stringify({ client_id: id, client_secret: secret }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  await clients.write([clients.replace(desired(id, await hashSecret(secret), now), null)]);
  logger.info('bootstrap admin client created; its credentials are in this file', { path });
}
