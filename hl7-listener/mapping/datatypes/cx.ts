/**
 * CX -> Identifier (IG datatype map CX[Identifier], https://build.fhir.org/ig/HL7/v2-to-fhir/ConceptMap-datatype-cx-to-identifier.html):
 * CX-1 value, CX-4 assigning authority -> system (hd.ts) or assigner, CX-5 -> type (table 0203),
 * CX-7/CX-8 -> period.
 */
import type { Identifier } from '@medplum/fhirtypes';
import { component, type Location } from '../access.ts';
import type { SenderProfile } from '../context.ts';
import type { Repetition } from '../../message.ts';
import { v2Table } from '../vocabulary.ts';
import { dtToDate } from './dtm.ts';
import { systemFor } from './hd.ts';
import type { UnnamedRole } from '../placeholder-systems.ts';

/** `role`: see systemFor (a key identifier gets a system even without CX-4). */
export function cxToIdentifier(rep: Repetition, profile: SenderProfile, location: Location, role?: UnnamedRole): Identifier | undefined {
  const value = component(rep, 1);
  if (value === undefined) return undefined;
  const namespace = component(rep, 4, 1);
  const system = systemFor({ namespace, universalId: component(rep, 4, 2), universalIdType: component(rep, 4, 3) }, profile, role);
  const identifier: Identifier = { value };
  if (system !== undefined) identifier.system = system;
  else if (namespace !== undefined) identifier.assigner = { display: namespace };
  const type = component(rep, 5);
  if (type !== undefined) identifier.type = { coding: [{ system: v2Table('0203'), code: type }] };
  const start = dtToDate(component(rep, 7), { ...location, component: 7 });
  const end = dtToDate(component(rep, 8), { ...location, component: 8 });
  if (start !== undefined || end !== undefined) identifier.period = { ...(start && { start }), ...(end && { end }) };
  return identifier;
}
