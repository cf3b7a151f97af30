import assert from 'node:assert/strict';
import { message } from './testing/hand-built.ts';
import { mapMessage } from './index.ts';
import { parseSenderProfiles, profileFor } from './senders.ts';
import { placeholderNamespace, placeholderSystem } from './placeholder-systems.ts';

describe('placeholder identifier systems (issue 10)', () => {
  it('are built from MSH-4 (else MSH-3) and the namespace, percent-encoded, and read back', () => {
    const system = placeholderSystem({ application: 'ADT', facility: 'St John' }, 'HOSP/MR')!;
    assert.equal(system, 'http://fhirline.org/fhir/hl7v2/facility/St%20John/authority/HOSP%2FMR');
    assert.equal(placeholderNamespace(system), 'HOSP/MR');
    assert.equal(
      placeholderSystem({ application: 'ADT', facility: '' }, undefined, 'patient'),
      'http://fhirline.org/fhir/hl7v2/application/ADT/unnamed/patient',
    );
    assert.equal(
      placeholderSystem({ application: 'ADT', facility: '' }, undefined),
      undefined,
      'only key identifiers get one without authority',
    );
  });
  it('a sender marked "reject" is still refused with 0357 code 103 at PID-3.4', () => {
    const profiles = parseSenderProfiles(JSON.stringify({ '*': { unknownAuthorities: 'reject' } }));
    const m = message('MSH|^~\\&|ADT|NORTH|F|F|20240601||ADT^A28|1|P|2.5.1\rPID|1||12345^^^HOSP^MR');
    const result = mapMessage(m, {
      sender: { application: 'ADT', facility: 'NORTH' },
      profile: profileFor(profiles, 'ADT', 'NORTH'),
      source: 'urn:x',
    });
    assert.ok(!result.ok && result.error.code === '103' && result.error.location?.component === 4);
  });
});
