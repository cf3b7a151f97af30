/**
 * OBX -> Observation (IG ConceptMap segment-obx-to-observation): OBX-3 code, OBX-5 value (obx-value.ts),
 * OBX-7 referenceRange, OBX-8 interpretation (table 0078 -> v3 ObservationInterpretation), OBX-11 status
 * (table 0085), OBX-14 effective, OBX-16 performer, OBX-17 method, OBX-19 issued. Identity (so that a
 * correction, OBX-11 C, updates rather than adds): the caller's key (filler order number or patient) + OBX-3 +
 * OBX-4 sub-id.
 */
import type { Observation, ObservationReferenceRange } from '@medplum/fhirtypes';
import { component, repetitions, value, type Location } from '../access.ts';
import type { MappingContext } from '../context.ts';
import { required } from '../errors.ts';
import type { Repetition, Segment } from '../../message.ts';
import { INTERPRETATION_CODES, OBSERVATION_INTERPRETATION, OBSERVATION_STATUS, v2Table } from '../vocabulary.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { asInstant, dtmToDateTime } from '../datatypes/dtm.ts';
import { nmToDecimal } from '../datatypes/nm.ts';
import { xcnToReference } from '../datatypes/xcn.ts';
import { obxValue, quantity, type ObxValue } from './obx-value.ts';

export interface MappedObx {
  /** Undefined for ED/RP documents, which are only an attachment. */
  observation?: Observation;
  attachment?: ObxValue & { kind: 'attachment' };
  /** OBX-3 system|code + OBX-4, to build the identifier. */
  key: string;
}

/** OBX-7 `3.5-5.1`, `<5`, `>10`, `<=5`: low/high in the result's units (sent precision kept); anything else is text. */
export function referenceRange(text: string | undefined, units: Repetition | undefined): ObservationReferenceRange | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  const range = /^([+-]?\d+(?:\.\d+)?)\s*-\s*([+-]?\d+(?:\.\d+)?)$/.exec(t);
  if (range) return { low: quantity(nmToDecimal(range[1]), units), high: quantity(nmToDecimal(range[2]), units), text: t };
  const bound = /^(<=?|>=?)\s*([+-]?\d+(?:\.\d+)?)$/.exec(t);
  if (bound)
    return bound[1].startsWith('<')
      ? { high: quantity(nmToDecimal(bound[2]), units), text: t }
      : { low: quantity(nmToDecimal(bound[2]), units), text: t };
  return { text: t };
}

export function obxToObservation(obx: Segment, sequence: number, context: MappingContext): MappedObx {
  const at = (field: number): Location => ({ segment: 'OBX', sequence, field });
  const tz = context.profile.timeZone ?? 'UTC';
  const code = cweToCodeableConcept(repetitions(obx, 3)[0]);
  if (!code) throw required('OBX-3 (observation identifier)', at(3));
  const coding = code.coding?.[0];
  const key = `${coding?.system ?? ''}|${coding?.code ?? code.text}|${value(obx, 4) ?? ''}`;
  const result = obxValue(obx, sequence, tz);
  if (result?.kind === 'attachment') return { attachment: result, key };
  const statusCode = value(obx, 11);
  const observation: Observation = { resourceType: 'Observation', status: OBSERVATION_STATUS[statusCode ?? ''] ?? 'unknown', code };
  if (result) Object.assign(observation, result.value);
  const units = repetitions(obx, 6)[0];
  const range = referenceRange(value(obx, 7), units);
  if (range) observation.referenceRange = [range];
  const interpretation = repetitions(obx, 8)
    .map((rep) => {
      const flag = component(rep, 1);
      return flag !== undefined && INTERPRETATION_CODES.has(flag)
        ? { coding: [{ system: OBSERVATION_INTERPRETATION, code: flag }] }
        : cweToCodeableConcept(rep, v2Table('0078'));
    })
    .filter((c) => c !== undefined);
  if (interpretation.length > 0) observation.interpretation = interpretation;
  const effective = dtmToDateTime(value(obx, 14), tz, at(14));
  if (effective) observation.effectiveDateTime = effective;
  const issued = asInstant(dtmToDateTime(value(obx, 19), tz, at(19)));
  if (issued) observation.issued = issued;
  const performer = repetitions(obx, 16)
    .map((rep) => xcnToReference(rep, context.profile))
    .filter((p) => p !== undefined);
  if (performer.length > 0) observation.performer = performer;
  const method = cweToCodeableConcept(repetitions(obx, 17)[0]);
  if (method) observation.method = method;
  return { observation, key };
}
