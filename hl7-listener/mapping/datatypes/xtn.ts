/**
 * XTN -> ContactPoint (IG ConceptMap datatype-xtn-to-contactpoint): XTN-2 use (table 0201), XTN-3 equipment
 * (table 0202) -> system, XTN-4 email, XTN-5..8 the number, else XTN-12 unformatted, else XTN-1.
 */
import type { ContactPoint } from '@medplum/fhirtypes';
import { component } from '../access.ts';
import type { Repetition } from '../../message.ts';

const USE: Record<string, ContactPoint['use']> = {
  PRN: 'home',
  ORN: 'home',
  VHN: 'home',
  WPN: 'work',
  PRS: 'mobile',
  EMR: undefined,
  NET: undefined,
};
const SYSTEM: Record<string, ContactPoint['system']> = {
  PH: 'phone',
  CP: 'phone',
  FX: 'fax',
  BP: 'pager',
  Internet: 'email',
  'X.400': 'email',
  MD: 'other',
  TDD: 'other',
  TTY: 'other',
  SAT: 'phone',
};

export function xtnToContactPoint(rep: Repetition): ContactPoint | undefined {
  const useCode = component(rep, 2);
  const equipment = component(rep, 3);
  const email = component(rep, 4);
  const parts = [component(rep, 5) && `+${component(rep, 5)}`, component(rep, 6) && `(${component(rep, 6)})`, component(rep, 7)];
  const number = component(rep, 7) !== undefined ? parts.filter(Boolean).join(' ') : undefined;
  const ext = component(rep, 8);
  const value =
    email !== undefined && (equipment === 'Internet' || equipment === 'X.400' || useCode === 'NET' || number === undefined)
      ? email
      : number !== undefined
        ? `${number}${ext ? ` ext. ${ext}` : ''}`
        : (component(rep, 12) ?? component(rep, 1));
  if (value === undefined) return undefined;
  const point: ContactPoint = {};
  const system = value === email ? 'email' : (SYSTEM[equipment ?? ''] ?? (useCode === 'NET' ? 'email' : 'phone'));
  point.system = system;
  point.value = value;
  const use = equipment === 'CP' ? 'mobile' : USE[useCode ?? ''];
  if (use) point.use = use;
  return point;
}
