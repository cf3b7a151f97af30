/** NTE -> Annotation (IG ConceptMap segment-nte-to-annotation): NTE-3 comment lines joined, NTE-4? not mapped. */
import type { Annotation } from '@medplum/fhirtypes';
import { component, repetitions } from '../access.ts';
import type { Segment } from '../../message.ts';

export function nteToAnnotation(nte: Segment): Annotation | undefined {
  const lines = repetitions(nte, 3).map((rep) => component(rep, 1) ?? '');
  const text = lines.join('\n').trim();
  return text === '' ? undefined : { text };
}

/** The NTE segments that directly follow `index` in `segments` (a note belongs to the segment before it). */
export function notesAfter(segments: Segment[], index: number): Annotation[] {
  const notes: Annotation[] = [];
  for (let i = index + 1; i < segments.length && segments[i].name === 'NTE'; i++) {
    const note = nteToAnnotation(segments[i]);
    if (note) notes.push(note);
  }
  return notes;
}
