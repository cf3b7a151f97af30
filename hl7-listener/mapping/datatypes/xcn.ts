/**
 * XCN (a person, usually a practitioner) -> a logical Reference: identifier (XCN-1 with XCN-9 assigning
 * authority) and display (the name). The IG creates a Practitioner per XCN; we reference by identifier instead
 * so that a message never creates or overwrites directory data it does not own (README, "Practitioners").
 */
import type { Practitioner, Reference } from '@medplum/fhirtypes';
import { component } from '../access.ts';
import type { SenderProfile } from '../context.ts';
import type { Repetition } from '../../message.ts';
import { systemFor } from './hd.ts';

export function xcnToReference(rep: Repetition | undefined, profile: SenderProfile): Reference<Practitioner> | undefined {
  if (!rep) return undefined;
  const id = component(rep, 1);
  const name = [component(rep, 6), component(rep, 3), component(rep, 4), component(rep, 2, 1), component(rep, 5)]
    .filter((p) => p !== undefined)
    .join(' ');
  if (id === undefined && name === '') return undefined;
  const reference: Reference<Practitioner> = { type: 'Practitioner' };
  if (id !== undefined) {
    const system = systemFor(
      { namespace: component(rep, 9, 1), universalId: component(rep, 9, 2), universalIdType: component(rep, 9, 3) },
      profile,
    );
    reference.identifier = { ...(system && { system }), value: id };
  }
  if (name !== '') reference.display = name;
  return reference;
}
