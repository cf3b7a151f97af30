/**
 * CWE / CE / CNE -> CodeableConcept (IG ConceptMap datatype-cwe-to-codeableconcept): the identifier triplet
 * (1-3) and the alternate triplet (4-6) become codings, CWE-9 original text (else CWE-2) the text. A coding
 * system the IG's map does not name keeps code and display without a system rather than an invented URI.
 */
import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import { component } from '../access.ts';
import type { Repetition } from '../../message.ts';
import { codingSystem } from '../vocabulary.ts';

function coding(rep: Repetition, first: number, defaultSystem?: string): Coding | undefined {
  const code = component(rep, first);
  const display = component(rep, first + 1);
  if (code === undefined) return undefined;
  const system = codingSystem(component(rep, first + 2)) ?? defaultSystem;
  return { ...(system && { system }), code, ...(display && { display }) };
}

/** `defaultSystem`: the HL7 table of a coded field when CWE-3 is empty (e.g. v2-0078 for OBX-8). */
export function cweToCodeableConcept(rep: Repetition | undefined, defaultSystem?: string): CodeableConcept | undefined {
  if (!rep) return undefined;
  const codings = [coding(rep, 1, defaultSystem), coding(rep, 4)].filter((c): c is Coding => c !== undefined);
  const text = component(rep, 9) ?? component(rep, 2) ?? (codings.length === 0 ? component(rep, 5) : undefined);
  if (codings.length === 0 && text === undefined) return undefined;
  return { ...(codings.length > 0 && { coding: codings }), ...(text !== undefined && { text }) };
}

/** The first coding's code (for table lookups). */
export function cweCode(rep: Repetition | undefined): string | undefined {
  return component(rep, 1);
}
