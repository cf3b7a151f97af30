/**
 * Escapes a value for the message's delimiters (HL7 v2.5 chapter 2.7) with the `hl7v2` package's `hl7Escape`.
 * The package only recognises the default delimiters `|^~\&` in the text it escapes; for custom ones the value
 * is passed through a character permutation that turns the message's delimiters into the defaults and back
 * (escape-value.test.ts pins both cases).
 */
import { hl7Escape } from 'hl7v2';
import type { Hl7Message } from './message.ts';

type Delimiters = Hl7Message['encoding'];

const DEFAULTS: Delimiters = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };
const ORDER = ['field', 'component', 'repetition', 'escape', 'subcomponent'] as const;
const PACKAGE_DEFAULTS = {
  fieldSeparator: '|',
  componentSeparator: '^',
  repetitionSeparator: '~',
  escapeCharacter: '\\',
  subComponentSeparator: '&',
};

export function escapeValue(value: string, delimiters: Delimiters): string {
  const isDefault = ORDER.every((k) => delimiters[k] === DEFAULTS[k]);
  if (isDefault) return hl7Escape(value, PACKAGE_DEFAULTS as never);
  const [toDefault, fromDefault] = permutation(delimiters);
  const escaped = hl7Escape(map(value, toDefault), PACKAGE_DEFAULTS as never);
  return map(escaped, fromDefault);
}

/** A bijection sending each custom delimiter to its default and each freed default to a freed custom char. */
function permutation(delimiters: Delimiters): [Map<string, string>, Map<string, string>] {
  const custom = ORDER.map((k) => delimiters[k]);
  const defaults = ORDER.map((k) => DEFAULTS[k]);
  const forward = new Map<string, string>();
  custom.forEach((c, i) => forward.set(c, defaults[i]!));
  const freedDefaults = defaults.filter((d) => !custom.includes(d));
  const freedCustom = custom.filter((c) => !defaults.includes(c));
  freedDefaults.forEach((d, i) => forward.set(d, freedCustom[i]!));
  const backward = new Map([...forward].map(([a, b]) => [b, a] as [string, string]));
  return [forward, backward];
}

function map(text: string, table: Map<string, string>): string {
  let out = '';
  for (const c of text) out += table.get(c) ?? c;
  return out;
}
