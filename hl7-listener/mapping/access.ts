/**
 * Reading positions of the message model (../message.ts) the way the HL7 v2 standard numbers them. A value is
 * `undefined` when empty; the HL7 null `""` also reads as `undefined` because every mapping here writes whole
 * resources (conditional update), so "no value" and "delete the value" produce the same resource.
 */
import { HL7_NULL, type Field, type Hl7Message, type Repetition, type Segment } from '../message.ts';

/** Where a value sits, for the ERR segment of an AE (HL7 v2.5 ERR-2: segment, sequence, field, component). */
export interface Location {
  segment: string;
  /** 1-based position of the segment among the message's segments of that name. */
  sequence: number;
  field?: number;
  component?: number;
}

export function segments(message: Hl7Message, name: string): Segment[] {
  return message.segments.filter((s) => s.name === name);
}

export function firstSegment(message: Hl7Message, name: string): Segment | undefined {
  return message.segments.find((s) => s.name === name);
}

/** The non-empty repetitions of field `n`. */
export function repetitions(segment: Segment | undefined, n: number): Repetition[] {
  const field: Field = segment?.fields[n] ?? [];
  return field.filter((rep) => rep.some((c) => c.some((s) => s !== '' && s !== HL7_NULL)));
}

/** Component `c` (1-based), subcomponent `s` of one repetition. */
export function component(rep: Repetition | undefined, c: number, s = 1): string | undefined {
  const v = rep?.[c - 1]?.[s - 1];
  return v === undefined || v === '' || v === HL7_NULL ? undefined : v;
}

/** Component `c` of the first repetition of field `n`. */
export function value(segment: Segment | undefined, n: number, c = 1, s = 1): string | undefined {
  return component(repetitions(segment, n)[0], c, s);
}

/** The subcomponents of component `c` as a repetition of their own (for datatypes nested in a component). */
export function subRepetition(rep: Repetition | undefined, c: number): Repetition | undefined {
  const comp = rep?.[c - 1];
  return comp && comp.some((s) => s !== '') ? comp.map((s) => [s]) : undefined;
}

/** 1-based position of `segment` among the segments of its name. */
export function sequenceOf(message: Hl7Message, segment: Segment): number {
  return segments(message, segment.name).indexOf(segment) + 1;
}
