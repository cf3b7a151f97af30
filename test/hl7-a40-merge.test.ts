/**
 * ADT^A40 over MLLP after an A01 (issue 10, defect 1): the merge changes identifiers and links only; the
 * survivor keeps the demographics the short A40 PID does not carry, as a REST client reads them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { FIXTURE_SENDERS, useMllpTestServer } from './support/mllp-test-server.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/hl7/${name}`, import.meta.url), 'latin1')
    .replace(/\r?\n/g, '\r')
    .replace(/\r+$/, '');
const MRN = 'urn:oid:1.2.250.1.999.1.1';

describe('HL7 ADT^A40 keeps the survivor demographics (issue 10)', () => {
  const hl7 = useMllpTestServer({ HL7_SENDERS: FIXTURE_SENDERS });

  const patient = async (mrn: string): Promise<Patient> => {
    const res = await hl7.fhir.http.get(`/fhir/Patient?identifier=${encodeURIComponent(`${MRN}|${mrn}`)}`).expect(200);
    const bundle = res.body as Bundle<Patient>;
    assert.equal(bundle.entry?.length, 1, `one Patient with MRN ${mrn}`);
    return bundle.entry![0].resource!;
  };

  it('A01 then A40: the survivor gets the merged MRN and a replaces link, and keeps address, telecom, national id, maiden name, marital status, communication', async () => {
    assert.match(await hl7.client.request(fixture('adt-a01.hl7')), /\rMSA\|CA\|STJ-ADT-0001/);
    const before = await patient('100234');
    assert.match(await hl7.client.request(fixture('adt-a40.hl7')), /\rMSA\|CA\|STJ-ADT-0004/);
    const after = await patient('100234');
    assert.equal(after.id, before.id);
    assert.equal(after.meta?.versionId, '2', 'the merge is a new version of the survivor');
    for (const key of [
      'address',
      'telecom',
      'extension',
      'maritalStatus',
      'communication',
      'generalPractitioner',
      'birthDate',
      'gender',
    ] as const) {
      assert.deepEqual(after[key], before[key], `${key} kept`);
    }
    assert.deepEqual(
      after.identifier?.map((i) => [i.system, i.value, i.use]),
      [...before.identifier!.map((i) => [i.system, i.value, i.use]), [MRN, '100999', 'old']],
      'national id kept, merged MRN added as old',
    );
    // The survivor carries 100999 too (use old): the merged record is the other match, inactive.
    const all = (await hl7.fhir.http.get(`/fhir/Patient?identifier=${encodeURIComponent(`${MRN}|100999`)}`).expect(200))
      .body as Bundle<Patient>;
    assert.equal(all.entry?.length, 2);
    const old = all.entry!.map((e) => e.resource!).find((p) => p.id !== after.id)!;
    assert.equal(old.active, false);
    assert.deepEqual(after.link, [{ other: { reference: `Patient/${old.id}` }, type: 'replaces' }]);
    assert.deepEqual(old.link, [{ other: { reference: `Patient/${after.id}` }, type: 'replaced-by' }]);

    // The same A40 again (a new control id): identifiers and links are not duplicated.
    assert.match(await hl7.client.request(fixture('adt-a40.hl7').replace('STJ-ADT-0004', 'STJ-ADT-0104')), /\rMSA\|CA\|STJ-ADT-0104/);
    const survivor = await patient('100234');
    assert.equal(survivor.meta?.versionId, '3');
    assert.deepEqual(survivor.identifier, after.identifier);
    assert.deepEqual(survivor.link, after.link);
    assert.deepEqual(survivor.address, before.address);
  });
});
