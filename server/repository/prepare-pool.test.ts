import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import type { JsonObject } from '../fhir-json/fhir-json.ts';
import { loadDefinitions } from '../validation/definitions.ts';
import { PreparePool } from './prepare-pool.ts';
import { prepareVersion } from './prepare-version.ts';

const EXAMPLES = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));

/** Every 20th official example (all kinds of resources, some of them invalid R4), and a few broken resources. */
function sample(): Resource[] {
  const files = readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json') && f !== 'package.json' && !f.startsWith('.'))
    .sort();
  const examples = files.filter((_, i) => i % 20 === 0).map((f) => JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as Resource);
  const broken = [
    { resourceType: 'Patient', foo: 1 },
    { resourceType: 'Observation', code: { text: 'no status' } },
    { resourceType: 'Patient', birthDate: '2020-13-45' },
  ] as unknown as Resource[];
  return [...examples, ...broken];
}

describe('PreparePool: validation and search values in worker threads', function () {
  this.timeout(120_000);
  let pool: PreparePool;

  before(async () => {
    loadDefinitions();
    pool = new PreparePool(2, {});
    await pool.ready();
  });
  after(() => pool.close());

  it('answers exactly what the main thread computes, in order, for official examples and broken resources', async () => {
    const resources = sample();
    assert.ok(resources.length > 250);
    // Asked in one turn, as a transaction does: many batches, spread over both workers.
    const fromPool = await Promise.all(resources.map((r) => pool.prepare(r as unknown as JsonObject, JSON.stringify(r))));
    const differences = resources.filter((r, i) => !equal(fromPool[i], prepareVersion(r)));
    assert.deepEqual(
      differences.map((r) => `${r.resourceType}/${r.id}`),
      [],
    );
    const failures = fromPool.filter((p) => p.failure);
    assert.ok(failures.length >= 3, 'the broken resources fail');
    assert.deepEqual(fromPool.at(-3)?.failure?.outcome.issue?.[0]?.expression, ['Patient.foo']);
    assert.ok(fromPool.at(-1)?.failure);
  });

  it('refuses work once closed', async () => {
    const closing = new PreparePool(1, {});
    await closing.ready();
    await closing.close();
    await assert.rejects(closing.prepare({}, '{"resourceType":"Patient"}'), /closed/);
  });
});

function equal(a: unknown, b: unknown): boolean {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}
