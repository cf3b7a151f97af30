/** Test helper: the mapping context of the fixtures' sender (fixtures/hl7/senders.json). */
import type { MappingContext } from '../context.ts';

export const SYSTEMS = {
  mrn: 'urn:oid:1.2.250.1.999.1.1',
  visit: 'urn:oid:1.2.250.1.999.1.2',
  placer: 'urn:oid:1.2.250.1.999.1.3',
  filler: 'urn:oid:1.2.250.1.999.1.4',
  staff: 'urn:oid:1.2.250.1.999.1.5',
  payer: 'urn:oid:1.2.250.1.999.1.6',
};

export function testContext(source = 'urn:fhirline:hl7v2-message:test-1'): MappingContext {
  return {
    sender: { application: 'EPICADT', facility: 'STJOHN' },
    profile: {
      timeZone: 'Europe/Paris',
      identifierSystems: {
        STJ: SYSTEMS.mrn,
        STJVISIT: SYSTEMS.visit,
        STJORD: SYSTEMS.placer,
        STJLAB: SYSTEMS.filler,
        STJDOC: SYSTEMS.staff,
        PAYERS: SYSTEMS.payer,
      },
    },
    source,
  };
}
