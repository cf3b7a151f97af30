/**
 * The HL7 v2 message model the rest of Fhirline works with: what the parser adapter (parse-message.ts, built
 * on the `hl7v2` package) produces and what the mappings (hl7-listener/mapping/) read. Every string is already
 * unescaped (\F\ \S\ \T\ \R\ \E\ \X..\ resolved) and decoded to Unicode (MSH-18), so mappings never see HL7
 * encoding. Positions follow HL7 numbering: `field(3)` is PID-3, `component(1)` the first component.
 *
 * Empty vs null (HL7 v2.5 chapter 2.5.3): an empty field is `[]` (no repetitions); the HL7 null `""` is a
 * repetition whose only component is the string `'""'`, kept so that mappings can clear a value.
 */

/** One component: its subcomponents (usually one). */
export type Component = string[];

/** One repetition of a field: its components. */
export type Repetition = Component[];

/** One field: its repetitions (`~`). */
export type Field = Repetition[];

export interface Segment {
  /** `MSH`, `PID`, `OBX`, ... */
  name: string;
  /**
   * `fields[n]` is field n (index 0 unused except MSH, where MSH-1 is the field separator and MSH-2 the
   * encoding characters, as the standard numbers them).
   */
  fields: Field[];
}

export interface Hl7Message {
  segments: Segment[];
  /** The encoding characters the message used (MSH-1, MSH-2), to echo them in the ACK. */
  encoding: { field: string; component: string; repetition: string; escape: string; subcomponent: string };
}

/** The HL7 null value (`""`): "delete the value" as opposed to an empty field meaning "no change". */
export const HL7_NULL = '""';
