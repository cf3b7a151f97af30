/**
 * Issue 11, on the shipped configuration: `npm start` with nothing set creates an admin client and writes its
 * credentials to DATA_DIR/bootstrap-credentials.json (0600), logging the path only; that client gets a token;
 * `/fhir/Patient` without a token is 401 and with it passes. With BOOTSTRAP_CLIENT_ID/SECRET set, that client is
 * created or updated from them.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDataDir, startChildServer, type ChildServer } from './support/child-server.ts';

async function token(child: ChildServer, id: string, secret: string): Promise<Response> {
  const smart = (await (await fetch(`${child.baseUrl}/.well-known/smart-configuration`)).json()) as { token_endpoint: string };
  return fetch(smart.token_endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=system%2F*.*',
  });
}

describe('auth: bootstrap client on the shipped configuration (issue 11)', function () {
  this.timeout(120_000);
  const children: ChildServer[] = [];
  after(async () => {
    for (const c of children) await c.cleanup();
  });

  it('no settings: writes bootstrap-credentials.json 0600, logs its path not the secret, and the client reads', async () => {
    const dataDir = makeTempDataDir();
    const env: Record<string, string> = { LOG_LEVEL: 'info' };
    const child = await startChildServer({ dataDir, env, withoutTestAdmin: true });
    children.push(child);
    const file = join(dataDir, 'bootstrap-credentials.json');
    assert.ok(existsSync(file), child.output());
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const { client_id, client_secret } = JSON.parse(readFileSync(file, 'utf8')) as { client_id: string; client_secret: string };
    assert.ok(client_id && client_secret && client_secret.length >= 32);
    assert.ok(child.output().includes(file) || child.output().includes('bootstrap-credentials.json'), child.output());
    assert.ok(!child.output().includes(client_secret), 'the secret is never logged');

    const without = await fetch(`${child.baseUrl}/Patient`);
    assert.equal(without.status, 401);
    assert.equal(without.headers.get('www-authenticate'), 'Bearer realm="fhirline"');
    assert.equal(((await without.json()) as { resourceType: string }).resourceType, 'OperationOutcome');
    const res = await token(child, client_id, client_secret);
    assert.equal(res.status, 200);
    const { access_token } = (await res.json()) as { access_token: string };
    const created = await fetch(`${child.baseUrl}/Patient`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Boot' }] }),
    });
    assert.equal(created.status, 201);
    const read = await fetch(`${child.baseUrl}/Patient`, { headers: { authorization: `Bearer ${access_token}` } });
    assert.equal(read.status, 200);

    // A restart on the same data keeps the client and its signing key: the token still works, no new file is made.
    await child.stop();
    const again = await startChildServer({ dataDir, env, withoutTestAdmin: true });
    children.push(again);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { client_id, client_secret });
    assert.equal((await token(again, client_id, client_secret)).status, 200);
  });

  it('BOOTSTRAP_CLIENT_ID/SECRET: that client is created, then updated when the secret changes', async () => {
    const dataDir = makeTempDataDir();
    const first = await startChildServer({
      dataDir,
      withoutTestAdmin: true,
      env: { BOOTSTRAP_CLIENT_ID: 'ops', BOOTSTRAP_CLIENT_SECRET: 'first-secret-0123456789' },
    });
    children.push(first);
    assert.ok(!existsSync(join(dataDir, 'bootstrap-credentials.json')));
    assert.equal((await token(first, 'ops', 'first-secret-0123456789')).status, 200);
    await first.stop();
    const second = await startChildServer({
      dataDir,
      withoutTestAdmin: true,
      env: { BOOTSTRAP_CLIENT_ID: 'ops', BOOTSTRAP_CLIENT_SECRET: 'second-secret-0123456789' },
    });
    children.push(second);
    assert.equal((await token(second, 'ops', 'first-secret-0123456789')).status, 401);
    assert.equal((await token(second, 'ops', 'second-secret-0123456789')).status, 200);
  });
});
