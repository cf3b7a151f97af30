/**
 * NM -> FHIR decimal keeping the sent text. The precision of a decimal is significant
 * (https://hl7.org/fhir/R4/datatypes.html#decimal): OBX-5 `13.50` must be stored as `13.50`, as REST stores it
 * (server/fhir-json/). A JS number cannot hold that, so a value whose text is not the number's own becomes a
 * LosslessNumber, which the write path serialises verbatim and validation reads as a plain number.
 */
import { LosslessNumber } from 'lossless-json';

/** HL7 NM (https://hl7.org/fhir/R4/datatypes.html#decimal lexical form is stricter): optional sign, digits, optional point. */
export const NM = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * `text` (already checked against NM) in FHIR's lexical form: no `+`, no leading zeros, `.5` -> `0.5`,
 * `5.` -> `5`. Typed `number` because the FHIR types say so; at run time it is a number or a LosslessNumber.
 */
export function nmToDecimal(text: string): number {
  let t = text.trim().replace(/^\+/, '');
  const sign = t.startsWith('-') ? '-' : '';
  t = t.slice(sign.length).replace(/\.$/, '');
  const [whole, frac] = t.split('.');
  const int = whole.replace(/^0+(?=\d)/, '') || '0';
  const decimal = `${sign}${int}${frac !== undefined ? `.${frac}` : ''}`;
  const n = Number(decimal);
  return String(n) === decimal ? n : (new LosslessNumber(decimal) as unknown as number);
}
