import assert from 'node:assert/strict';
import { entryIndexOf, interpretAnswer } from './post-bundle.ts';
import type { LoadBundle } from './read-input.ts';

const bundle = (over: Partial<LoadBundle> = {}): LoadBundle => ({
  file: 'data/x.ndjson',
  bundleType: 'transaction',
  body: '{}',
  types: ['Patient', 'Observation', 'Observation'],
  lines: [1, 3, 4],
  bytes: 100,
  ...over,
});
const outcome = (diagnostics: string, expression?: string) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'invalid', diagnostics, ...(expression ? { expression: [expression] } : {}) }],
});

describe('load: reading the answer to a Bundle (http.html#transaction-response)', () => {
  it('a transaction-response means every entry was stored', () => {
    const out = interpretAnswer(bundle(), 200, { resourceType: 'Bundle', type: 'transaction-response', entry: [] });
    assert.deepEqual(out, { stored: ['Patient', 'Observation', 'Observation'], notApplied: 0, errors: [] });
  });

  it('a failed transaction stores nothing; the error names the failing line and the server diagnostics', () => {
    const out = interpretAnswer(bundle(), 400, outcome('Bundle.entry[2]: Unknown element', 'Bundle.entry[2].resource.bogus'));
    assert.deepEqual(out.stored, []);
    assert.equal(out.notApplied, 3);
    assert.deepEqual(out.errors, [{ file: 'data/x.ndjson', entry: 2, line: 4, status: 400, diagnostics: 'Unknown element' }]);
  });

  it('an error answer without an OperationOutcome still reports the status', () => {
    const out = interpretAnswer(bundle({ lines: undefined }), 502, undefined);
    assert.deepEqual(out.errors, [{ file: 'data/x.ndjson', status: 502, diagnostics: 'HTTP 502 without an OperationOutcome' }]);
  });

  it('a batch-response counts each entry by its own status (bundle.html#batch)', () => {
    const out = interpretAnswer(bundle({ file: 'b.json', lines: undefined, bundleType: 'batch' }), 200, {
      resourceType: 'Bundle',
      type: 'batch-response',
      entry: [
        { response: { status: '201 Created' } },
        { response: { status: '422 Unprocessable Entity', outcome: outcome('Bundle.entry[1]: profile violated') } },
        { response: { status: '200 OK' } },
      ],
    });
    assert.deepEqual(out.stored, ['Patient', 'Observation']);
    assert.deepEqual(out.errors, [{ file: 'b.json', entry: 1, status: 422, diagnostics: 'Bundle.entry[1]: profile violated' }]);
  });

  it('finds the entry index in expression or diagnostics', () => {
    assert.equal(entryIndexOf(outcome('x', 'Bundle.entry[7].resource') as never), 7);
    assert.equal(entryIndexOf(outcome('Bundle.entry[12]: x') as never), 12);
    assert.equal(entryIndexOf(outcome('no entry') as never), undefined);
  });
});
