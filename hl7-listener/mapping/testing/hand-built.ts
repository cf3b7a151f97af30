/**
 * Test helper: builds message-model values (../../message.ts) from ER7 text with the default encoding
 * characters and no escape sequences, so that datatype and segment tests read like HL7. Not a parser: raw
 * fixtures go through the listener's parse-message.ts.
 */
import type { Hl7Message, Repetition, Segment } from '../../message.ts';

export function repetition(text: string): Repetition {
  return text.split('^').map((c) => c.split('&'));
}

export function segment(text: string): Segment {
  const parts = text.split('|');
  const name = parts[0];
  if (name === 'MSH') {
    const fields = [[], [[['|']]], [[[parts[1]]]], ...parts.slice(2).map((f) => (f === '' ? [] : f.split('~').map(repetition)))];
    return { name, fields };
  }
  return { name, fields: [[], ...parts.slice(1).map((f) => (f === '' ? [] : f.split('~').map(repetition)))] };
}

export function message(text: string): Hl7Message {
  const segments = text
    .split(/\r\n|\r|\n/)
    .filter((l) => l.trim() !== '')
    .map(segment);
  return { segments, encoding: { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' } };
}
