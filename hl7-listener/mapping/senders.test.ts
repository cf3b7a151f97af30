import assert from 'node:assert/strict';
import { parseSenderProfiles, profileFor } from './senders.ts';

describe('per-sender mapping configuration (HL7_SENDERS)', () => {
  const profiles = parseSenderProfiles(
    JSON.stringify({
      '*': { identifierSystems: { X: 'urn:x' } },
      '^STJOHN': { timeZone: 'Europe/Paris', identifierSystems: { STJ: 'urn:oid:1.2.3' } },
      'LAB^STJOHN': { timeZone: 'America/New_York', identifierSystems: {} },
    }),
  );
  it('the most specific key wins: APP^FACILITY, ^FACILITY, APP^, *', () => {
    assert.equal(profileFor(profiles, 'LAB', 'STJOHN').timeZone, 'America/New_York');
    assert.equal(profileFor(profiles, 'ADT', 'STJOHN').timeZone, 'Europe/Paris');
    assert.equal(profileFor(profiles, 'ADT', 'OTHER').identifierSystems.X, 'urn:x');
  });
  it('refuses unknown time zones and systems that are not absolute URIs', () => {
    assert.throws(() => parseSenderProfiles('{"*": {"timeZone": "Mars/Olympus"}}'), /IANA/);
    assert.throws(() => parseSenderProfiles('{"*": {"identifierSystems": {"A": "not a uri"}}}'), /absolute URIs/);
  });
  it('unknownAuthorities: placeholders by default (profileFor names the sender), refusal when "reject"', () => {
    const strict = parseSenderProfiles(JSON.stringify({ 'LAB^': { unknownAuthorities: 'reject' } }));
    assert.deepEqual(profileFor(strict, 'ADT', 'NORTH').placeholders, { application: 'ADT', facility: 'NORTH' });
    assert.equal(profileFor(strict, 'LAB', 'NORTH').placeholders, undefined);
    assert.throws(() => parseSenderProfiles('{"*": {"unknownAuthorities": "ignore"}}'), /accept" or "reject/);
  });
});
