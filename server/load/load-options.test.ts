import assert from 'node:assert/strict';
import { DEFAULTS, parseLoadArgs } from './load-options.ts';

describe('load: command line', () => {
  it('takes files and folders with the defaults', () => {
    assert.deepEqual(parseLoadArgs(['a.json', 'dir']), { inputs: ['a.json', 'dir'], ...DEFAULTS });
  });
  it('reads --url, --concurrency and --batch-size, also as --flag=value', () => {
    assert.deepEqual(parseLoadArgs(['--url', 'http://h:1/fhir/', 'x', '--concurrency=8', '--batch-size', '100']), {
      inputs: ['x'],
      url: 'http://h:1/fhir',
      concurrency: 8,
      batchSize: 100,
    });
  });
  it('refuses what it cannot use', () => {
    assert.match((parseLoadArgs([]) as { error: string }).error, /at least one file/);
    assert.match((parseLoadArgs(['x', '--concurrency', '0']) as { error: string }).error, /positive integer/);
    assert.match((parseLoadArgs(['x', '--url', 'localhost']) as { error: string }).error, /http\(s\) URL/);
    assert.match((parseLoadArgs(['x', '--bogus']) as { error: string }).error, /unknown option/);
  });
});
