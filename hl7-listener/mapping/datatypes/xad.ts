/**
 * XAD -> Address (IG ConceptMap datatype-xad-to-address): XAD-1 (SAD-1 street) and XAD-2 lines, XAD-3 city,
 * XAD-4 state, XAD-5 postal code, XAD-6 country, XAD-7 address type (table 0190) -> use/type, XAD-9 district.
 */
import type { Address } from '@medplum/fhirtypes';
import { component } from '../access.ts';
import type { Repetition } from '../../message.ts';

/** Table 0190 -> address use / type (IG table-hl70190-to-address-use, -address-type). */
const ADDRESS_USE: Record<string, Address['use']> = { H: 'home', B: 'work', O: 'work', C: 'temp', BA: 'billing', BDL: 'old', BR: 'old' };
const ADDRESS_TYPE: Record<string, Address['type']> = { M: 'postal', SH: 'postal', P: 'physical' };

export function xadToAddress(rep: Repetition): Address | undefined {
  const line = [component(rep, 1, 1), component(rep, 2)].filter((l): l is string => l !== undefined);
  const address: Address = {};
  const code = component(rep, 7) ?? '';
  if (ADDRESS_USE[code]) address.use = ADDRESS_USE[code];
  if (ADDRESS_TYPE[code]) address.type = ADDRESS_TYPE[code];
  if (line.length > 0) address.line = line;
  const city = component(rep, 3);
  const district = component(rep, 9);
  const state = component(rep, 4);
  const postalCode = component(rep, 5);
  const country = component(rep, 6);
  if (city !== undefined) address.city = city;
  if (district !== undefined) address.district = district;
  if (state !== undefined) address.state = state;
  if (postalCode !== undefined) address.postalCode = postalCode;
  if (country !== undefined) address.country = country;
  return line.length > 0 || city || district || state || postalCode || country ? address : undefined;
}
