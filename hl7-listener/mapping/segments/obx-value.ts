/**
 * OBX-5 by its value type OBX-2 (IG ConceptMap segment-obx-to-observation): NM -> valueQuantity (units OBX-6),
 * SN -> valueQuantity with comparator, valueRange (`-`) or valueRatio (`:` `/`), ST/TX/FT -> valueString
 * (repetitions joined by newlines), CWE/CE/CNE -> valueCodeableConcept, DT/DTM/TS -> valueDateTime. ED and RP
 * are documents, not values: R4 Observation has no valueAttachment, so they become an Attachment for
 * DiagnosticReport.presentedForm (README, "Embedded documents").
 */
import type { Attachment, Observation, Quantity } from '@medplum/fhirtypes';
import { component, repetitions, type Location } from '../access.ts';
import { ERROR_CODES, fault } from '../errors.ts';
import type { Repetition, Segment } from '../../message.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { dtmToDateTime } from '../datatypes/dtm.ts';
import { NM, nmToDecimal } from '../datatypes/nm.ts';

export type ObxValue =
  | {
      kind: 'value';
      value: Partial<
        Pick<Observation, 'valueQuantity' | 'valueString' | 'valueCodeableConcept' | 'valueDateTime' | 'valueRange' | 'valueRatio'>
      >;
    }
  | { kind: 'attachment'; attachment: Attachment };

/** The sent text is kept (datatypes/nm.ts): `13.50` stays `13.50`. */
function toNumber(text: string | undefined, location: Location): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (!NM.test(t)) throw fault(ERROR_CODES.dataTypeError, `'${text}' is not a number`, location);
  return nmToDecimal(t);
}

/** OBX-6 units (CWE): UCUM when the sender says so, else the unit text. */
export function quantity(value: number, units: Repetition | undefined): Quantity {
  const q: Quantity = { value };
  const code = component(units, 1);
  const text = component(units, 2) ?? code;
  if (text !== undefined) q.unit = text;
  if (code !== undefined && /^(UCUM|UCUM\d*)$/i.test(component(units, 3) ?? '')) {
    q.system = 'http://unitsofmeasure.org';
    q.code = code;
  }
  return q;
}

/** ED-2 type of data (table 0191) / ED-3 subtype -> a MIME type. */
function mimeType(type: string | undefined, subtype: string | undefined): string | undefined {
  if (subtype?.includes('/')) return subtype.toLowerCase();
  const major: Record<string, string> = {
    AP: 'application',
    IM: 'image',
    AU: 'audio',
    TEXT: 'text',
    TX: 'text',
    multipart: 'multipart',
    NS: 'application',
  };
  const top = type !== undefined ? (major[type] ?? major[type.toUpperCase()]) : undefined;
  if (subtype === undefined) return top === 'text' ? 'text/plain' : top === 'application' ? 'application/octet-stream' : undefined;
  return `${top ?? 'application'}/${subtype.toLowerCase()}`;
}

function edAttachment(rep: Repetition, location: Location): Attachment {
  const encoding = component(rep, 4)?.toUpperCase();
  const raw = component(rep, 5) ?? '';
  let data: string;
  if (encoding === 'BASE64') {
    data = /\s/.test(raw) ? raw.replace(/\s+/g, '') : raw;
    // Linear checks: a regular expression repeating groups of four overflows the stack on a document of megabytes.
    if (data.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(data))
      throw fault(ERROR_CODES.dataTypeError, 'ED-5 is not valid Base64', { ...location, component: 5 });
  } else if (encoding === 'HEX') {
    if (raw.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(raw))
      throw fault(ERROR_CODES.dataTypeError, 'ED-5 is not valid hexadecimal', { ...location, component: 5 });
    data = Buffer.from(raw, 'hex').toString('base64');
  } else {
    data = Buffer.from(raw, 'utf8').toString('base64');
  }
  const contentType = mimeType(component(rep, 2), component(rep, 3));
  return { ...(contentType && { contentType }), data };
}

export function obxValue(obx: Segment, sequence: number, timeZone: string): ObxValue | undefined {
  const location: Location = { segment: 'OBX', sequence, field: 5 };
  const type = component(repetitions(obx, 2)[0], 1)?.toUpperCase();
  const reps = repetitions(obx, 5);
  if (reps.length === 0) return undefined;
  const first = reps[0];
  const units = repetitions(obx, 6)[0];
  switch (type) {
    case 'NM':
      return { kind: 'value', value: { valueQuantity: quantity(toNumber(component(first, 1), location)!, units) } };
    case 'SN': {
      const comparator = component(first, 1);
      const n1 = toNumber(component(first, 2), location);
      const separator = component(first, 3);
      const n2 = toNumber(component(first, 4), location);
      if (separator === ':' || separator === '/') {
        return {
          kind: 'value',
          value: {
            valueRatio: { ...(n1 !== undefined && { numerator: { value: n1 } }), ...(n2 !== undefined && { denominator: { value: n2 } }) },
          },
        };
      }
      if (separator === '-') {
        return {
          kind: 'value',
          value: {
            valueRange: { ...(n1 !== undefined && { low: quantity(n1, units) }), ...(n2 !== undefined && { high: quantity(n2, units) }) },
          },
        };
      }
      if (n1 === undefined) throw fault(ERROR_CODES.dataTypeError, 'SN has no number', location);
      const q = quantity(n1, units);
      if (comparator === '<' || comparator === '>' || comparator === '<=' || comparator === '>=') q.comparator = comparator;
      else if (comparator !== undefined && comparator !== '=')
        return { kind: 'value', value: { valueString: reps.map((r) => r.map((c) => c.join('&')).join('')).join('\n') } };
      return { kind: 'value', value: { valueQuantity: q } };
    }
    case 'ST':
    case 'TX':
    case 'FT':
      return { kind: 'value', value: { valueString: reps.map((r) => r.map((c) => c.join('&')).join('^')).join('\n') } };
    case 'CWE':
    case 'CE':
    case 'CNE':
    case 'CF': {
      const concept = cweToCodeableConcept(first);
      return concept ? { kind: 'value', value: { valueCodeableConcept: concept } } : undefined;
    }
    case 'DT':
    case 'DTM':
    case 'TS': {
      const dt = dtmToDateTime(component(first, 1), timeZone, location);
      return dt ? { kind: 'value', value: { valueDateTime: dt } } : undefined;
    }
    case 'ED':
      return { kind: 'attachment', attachment: edAttachment(first, location) };
    case 'RP': {
      const url = component(first, 1);
      const contentType = mimeType(component(first, 3), component(first, 4));
      return url === undefined ? undefined : { kind: 'attachment', attachment: { url, ...(contentType && { contentType }) } };
    }
    default:
      throw fault(ERROR_CODES.dataTypeError, `OBX-2 value type '${type ?? ''}' is not supported`, { ...location, field: 2 });
  }
}
