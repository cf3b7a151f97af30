/**
 * ADT^A40 (merge patient: patient identifier list). The IG has no A40 map; our choice (README, "A40"): for each
 * PID + MRG pair, the surviving Patient (PID) is updated with the merged identifiers (MRG-1, `use: old`) and a
 * `replaces` link; the merged Patient is kept (references to it keep resolving), made inactive, with a
 * `replaced-by` link to the survivor (https://hl7.org/fhir/R4/patient.html#links). Patient conditions exclude
 * inactive patients, so later messages with either identifier find the survivor.
 */
import type { Identifier, Patient } from '@medplum/fhirtypes';
import { repetitions, type Location } from '../access.ts';
import type { MappingContext } from '../context.ts';
import { conditionalUpdate, tokenParameter, type TransactionEntry } from '../entries.ts';
import { required } from '../errors.ts';
import type { Hl7Message, Segment } from '../../message.ts';
import { cxToIdentifier } from '../datatypes/cx.ts';
import { xpnToHumanName } from '../datatypes/xpn.ts';
import { pidToPatient } from '../segments/pid.ts';

export function mapA40(message: Hl7Message, context: MappingContext): TransactionEntry[] {
  const entries: TransactionEntry[] = [];
  const tz = context.profile.timeZone ?? 'UTC';
  let pidSeq = 0;
  let mrgSeq = 0;
  let pid: Segment | undefined;
  for (const segment of message.segments) {
    if (segment.name === 'PID') {
      pid = segment;
      pidSeq++;
      continue;
    }
    if (segment.name !== 'MRG') continue;
    mrgSeq++;
    const at = (field: number): Location => ({ segment: 'MRG', sequence: mrgSeq, field });
    if (!pid) throw required('PID before MRG', { segment: 'PID', sequence: pidSeq + 1 });
    const survivor = pidToPatient(pid, undefined, context, pidSeq);
    const merged = repetitions(segment, 1)
      .map((rep) => cxToIdentifier(rep, context.profile, at(1), 'patient'))
      .filter((i): i is Identifier => i?.system !== undefined);
    if (merged.length === 0) throw required('MRG-1 (prior patient identifier list, with a known assigning authority)', at(1));
    const survivorKey = survivor.patient.identifier!.find((i) => i.system !== undefined)!;
    const survivorEntry = conditionalUpdate(context, `A40/${mrgSeq}/survivor`, { ...survivor.patient }, survivor.query);
    const mergedEntryKey = `A40/${mrgSeq}/merged`;
    const mergedPatient: Patient = {
      resourceType: 'Patient',
      active: false,
      identifier: merged,
      link: [{ other: { reference: survivorEntry.fullUrl }, type: 'replaced-by' }],
    };
    const name = repetitions(segment, 7)
      .map((rep) => xpnToHumanName(rep, tz, at(7)))
      .filter((n) => n !== undefined);
    if (name.length > 0) mergedPatient.name = name;
    // The merged record is found by its identifier whether still active or not (a repeated A40), but never the survivor.
    const mergedQuery = `identifier=${tokenParameter(merged[0].system, merged[0].value!)}&identifier:not=${tokenParameter(survivorKey.system, survivorKey.value!)}`;
    const mergedEntry = conditionalUpdate(context, mergedEntryKey, mergedPatient, mergedQuery);
    const known = new Set(survivor.patient.identifier!.map((i) => `${i.system}|${i.value}`));
    survivorEntry.resource = {
      ...survivorEntry.resource,
      identifier: [
        ...survivor.patient.identifier!,
        ...merged.filter((i) => !known.has(`${i.system}|${i.value}`)).map((i) => ({ ...i, use: 'old' as const })),
      ],
      link: [{ other: { reference: mergedEntry.fullUrl }, type: 'replaces' }],
    } as Patient;
    entries.push(survivorEntry, mergedEntry);
  }
  if (entries.length === 0) throw required('MRG segment', { segment: 'MRG', sequence: 1 });
  return entries;
}
