/**
 * XPN -> HumanName (IG ConceptMap datatype-xpn-to-humanname): XPN-1 family (FN-1 surname), XPN-2 and XPN-3
 * given names in order, XPN-4 suffix, XPN-5 prefix, XPN-6 degree -> suffix, XPN-7 name type (table 0200) -> use,
 * XPN-12/13 -> period.
 */
import type { HumanName } from '@medplum/fhirtypes';
import { component, type Location } from '../access.ts';
import type { Repetition } from '../../message.ts';
import { dtmToDateTime } from './dtm.ts';

/** Table 0200 -> name-use (IG table-hl70200-to-name-use); codes without an equivalent leave `use` out. */
const NAME_USE: Record<string, HumanName['use']> = {
  L: 'official',
  D: 'usual',
  M: 'maiden',
  N: 'nickname',
  A: 'anonymous',
  S: 'anonymous',
  C: 'old',
  BAD: 'old',
  TEMP: 'temp',
};

export function xpnToHumanName(rep: Repetition, timeZone: string, location: Location): HumanName | undefined {
  const family = component(rep, 1);
  const given = [component(rep, 2), ...(component(rep, 3)?.split(' ') ?? [])].filter((g): g is string => g !== undefined && g !== '');
  const suffix = [component(rep, 4), component(rep, 6)].filter((s): s is string => s !== undefined);
  const prefix = component(rep, 5);
  if (family === undefined && given.length === 0) return undefined;
  const name: HumanName = {};
  const use = NAME_USE[component(rep, 7) ?? ''];
  if (use) name.use = use;
  if (family !== undefined) name.family = family;
  if (given.length > 0) name.given = given;
  if (prefix !== undefined) name.prefix = [prefix];
  if (suffix.length > 0) name.suffix = suffix;
  const start = dtmToDateTime(component(rep, 12), timeZone, { ...location, component: 12 });
  const end = dtmToDateTime(component(rep, 13), timeZone, { ...location, component: 13 });
  if (start !== undefined || end !== undefined) name.period = { ...(start && { start }), ...(end && { end }) };
  return name;
}
