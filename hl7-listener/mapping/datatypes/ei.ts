/**
 * EI (entity identifier) -> Identifier (IG ConceptMap datatype-ei-to-identifier): EI-1 value, EI-2..4 the
 * assigning authority -> system through the sender's table (hd.ts). Used for placer/filler order numbers.
 */
import type { Identifier } from '@medplum/fhirtypes';
import { component } from '../access.ts';
import type { SenderProfile } from '../context.ts';
import type { Repetition } from '../../message.ts';
import { v2Table } from '../vocabulary.ts';
import { systemFor } from './hd.ts';
import type { UnnamedRole } from '../placeholder-systems.ts';

/** `typeCode`: PLAC or FILL (table 0203), as the IG sets for ORC-2/ORC-3. `role`: see systemFor. */
export function eiToIdentifier(
  rep: Repetition | undefined,
  profile: SenderProfile,
  typeCode?: 'PLAC' | 'FILL',
  role?: UnnamedRole,
): Identifier | undefined {
  const value = component(rep, 1);
  if (value === undefined) return undefined;
  const namespace = component(rep, 2);
  const system = systemFor({ namespace, universalId: component(rep, 3), universalIdType: component(rep, 4) }, profile, role);
  const identifier: Identifier = { value };
  if (system !== undefined) identifier.system = system;
  else if (namespace !== undefined) identifier.assigner = { display: namespace };
  if (typeCode) identifier.type = { coding: [{ system: v2Table('0203'), code: typeCode }] };
  return identifier;
}
