import assert from 'node:assert/strict';
import { hashSecret, verifySecret } from './secret-hash.ts';

describe('secret-hash', () => {
  it('verifies the secret it hashed, refuses another, and salts each hash', async () => {
    const a = await hashSecret('correct horse battery');
    const b = await hashSecret('correct horse battery');
    assert.notEqual(a, b);
    assert.equal(await verifySecret('correct horse battery', a), true);
    assert.equal(await verifySecret('correct horse batterY', a), false);
    assert.equal(await verifySecret('x', 'not-a-hash'), false);
  });
});
