import assert from 'node:assert/strict';
import { progressLine } from './progress.ts';
import { addOutcome, emptyTally, formatSummary } from './summary.ts';

describe('load: summary and progress', () => {
  it('counts resources by type and Bundles, and lists each error with its file and line or entry', () => {
    const tally = emptyTally(2);
    addOutcome(tally, { stored: ['Patient', 'Observation', 'Observation'], notApplied: 0, errors: [] }, 500);
    addOutcome(
      tally,
      { stored: [], notApplied: 2, errors: [{ file: 'a.ndjson', line: 9, entry: 1, status: 400, diagnostics: 'Invalid code' }] },
      300,
    );
    addOutcome(
      tally,
      { stored: [], notApplied: 0, errors: [{ file: 'b.json', entry: 3, status: 412, diagnostics: 'Several matches' }] },
      200,
    );
    const text = formatSummary(tally, 2);
    assert.match(text, /^Loaded 3 resources from 2 file\(s\) in 2\.0 s \(2 resources\/s\)$/m);
    assert.match(text, /^Bundles sent: 3 \(2 with errors\)$/m);
    assert.match(text, /^ {2}Observation +2$/m);
    assert.match(text, /^ {2}Patient +1$/m);
    assert.match(text, /^Errors: 2; entries of failed Bundles not stored: 2$/m);
    assert.match(text, /^ {2}a\.ndjson line 9 HTTP 400: Invalid code$/m);
    assert.match(text, /^ {2}b\.json Bundle\.entry\[3\] HTTP 412: Several matches$/m);
    assert.equal(tally.bytesDone, 1000);
  });

  it('lists at most maxErrors errors and says how many more', () => {
    const tally = emptyTally(1);
    for (let i = 0; i < 5; i++) addOutcome(tally, { stored: [], notApplied: 0, errors: [{ file: 'f.json', diagnostics: `e${i}` }] }, 0);
    const text = formatSummary(tally, 1, 2);
    assert.match(text, /e1\n {2}\.\.\. and 3 more/);
    assert.doesNotMatch(text, /e2/);
  });

  it('a run without errors says so', () => {
    assert.match(formatSummary(emptyTally(0), 0), /^Errors: none$/m);
  });

  it('the progress bar fills with the input bytes done', () => {
    const tally = emptyTally(1);
    addOutcome(tally, { stored: ['Patient'], notApplied: 0, errors: [] }, 50);
    assert.equal(progressLine(tally, 100, 1, 10), '[#####.....]  50% 1 resources, 1 Bundles, 1/s');
  });
});
