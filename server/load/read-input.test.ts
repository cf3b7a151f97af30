import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listInputFiles, readNdjson, type InputItem } from './read-input.ts';

describe('load: reading input files', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fhirline-load-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('cuts an NDJSON file into transactions of batchSize resources and remembers each line', async () => {
    const file = path.join(dir, 'p.ndjson');
    const lines = [
      '{"resourceType":"Patient","id":"a"}',
      '',
      '{"resourceType":"Patient","id":"b"}',
      '{oops',
      '{"resourceType":"Observation"}\r',
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const items: InputItem[] = [];
    for await (const item of readNdjson(file, 2)) items.push(item);
    assert.deepEqual(
      items.map((i) => (i.kind === 'bundle' ? { lines: i.bundle.lines, types: i.bundle.types } : { error: i.error.line })),
      [{ lines: [1, 3], types: ['Patient', 'Patient'] }, { error: 4 }, { lines: [5], types: ['Observation'] }],
    );
    const first = items[0].kind === 'bundle' ? JSON.parse(items[0].bundle.body) : undefined;
    assert.deepEqual(first.entry[1].request, { method: 'PUT', url: 'Patient/b' });
  });

  it('lists folders recursively, sorted, Synthea shared resources first', async () => {
    mkdirSync(path.join(dir, 'synthea', 'sub'), { recursive: true });
    for (const name of ['Zed_1.json', 'hospitalInformation123.json', 'sub/a.ndjson', 'notes.txt'])
      writeFileSync(path.join(dir, 'synthea', name), '{}');
    const files = await listInputFiles([path.join(dir, 'synthea')]);
    const rel = (f: string) => path.relative(path.join(dir, 'synthea'), f);
    assert.deepEqual(files.first.map(rel), ['hospitalInformation123.json']);
    assert.deepEqual(files.rest.map(rel), ['Zed_1.json', 'sub/a.ndjson']);
  });
});
