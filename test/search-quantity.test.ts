/**
 * Quantity search by unit (https://hl7.org/fhir/R4/search.html#quantity): `[number]||[code]` matches a quantity
 * whose `code` or whose `unit` is `[code]`, in any system; `[number]|[system]|[code]` matches `system` and `code`.
 */
import assert from 'node:assert/strict';
import { fhirClient } from './support/fhir-client.ts';
import { useTestServer } from './support/in-process-server.ts';

const UCUM = 'http://unitsofmeasure.org';

describe('quantity search by code or unit (search.html#quantity)', () => {
  const { http } = useTestServer();
  const { create: createResource, ids } = fhirClient(http);
  const observation = async (valueQuantity: Record<string, unknown>) =>
    (await createResource({ resourceType: 'Observation', status: 'final', code: { text: 'quantity-unit' }, valueQuantity })).id;
  const search = (value: string) => ids(`/fhir/Observation?code:text=quantity-unit&value-quantity=${encodeURIComponent(value)}`);

  it('||code matches the code or the unit; system|code only the coded quantity', async () => {
    const unitOnly = await observation({ value: 5.4, unit: 'mmol/L' });
    const coded = await observation({ value: 5.4, system: UCUM, code: 'mmol/L', unit: 'mmol/l' });
    const spelledOut = await observation({ value: 5.4, system: UCUM, code: 'mmol/L', unit: 'millimole per litre' });
    await observation({ value: 5.4, system: UCUM, code: 'mg', unit: 'mg' });
    await observation({ value: 7, unit: 'mmol/L' });
    assert.deepEqual(await search('5.4||mmol/L'), [unitOnly, coded, spelledOut].sort());
    assert.deepEqual(await search('5.4||millimole per litre'), [spelledOut]);
    assert.deepEqual(await search(`5.4|${UCUM}|mmol/L`), [coded, spelledOut].sort());
    assert.deepEqual(await search('gt5||mmol/l'), [coded]);
  });
});
