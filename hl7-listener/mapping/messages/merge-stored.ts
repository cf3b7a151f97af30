/**
 * A40 entries against the stored Patients (README, "A40 merge"). A merge changes identifiers and links; the
 * short PID of an A40 (often PID-3 and PID-5 only) must not replace the whole survivor, which would drop its
 * address, telecom, other identifiers, extensions... Which demographics are stored is I/O, so the pure mapping
 * marks its entries by their links and this function is the hook the listener calls with the Patient each
 * entry's condition matches now, before applyTransaction.
 */
import type { Identifier, Patient, PatientLink } from '@medplum/fhirtypes';
import type { TransactionEntry } from '../entries.ts';

/** A Patient entry of an A40 (the only mapping that writes `replaces` / `replaced-by` links). */
export function isMergeEntry(entry: TransactionEntry): boolean {
  const resource = entry.resource as Patient;
  return (
    resource.resourceType === 'Patient' &&
    entry.request.method === 'PUT' &&
    (resource.link ?? []).some((l) => l.type === 'replaces' || l.type === 'replaced-by')
  );
}

const identifierKey = (i: Identifier) => `${i.system ?? ''}|${i.value ?? ''}`;
const linkKey = (l: PatientLink) => `${l.type}|${l.other.reference ?? ''}`;

function union<T>(stored: T[] | undefined, incoming: T[] | undefined, key: (t: T) => string): T[] {
  const seen = new Set((stored ?? []).map(key));
  return [...(stored ?? []), ...(incoming ?? []).filter((t) => !seen.has(key(t)))];
}

/**
 * `entry` unchanged when nothing is stored (the merge creates the Patient); else the stored Patient with the
 * identifiers, names and links of the entry added and its `active` (survivor true, merged false); other
 * elements of the message only fill what the stored Patient lacks, since an A40 is not a demographics update
 * (that is the A08's job) and its PID is often partial. `ifMatch` makes it a compare-and-swap: a write between the read and the commit fails the unit
 * (AE, the sender retries) instead of being overwritten. `storedIds`: fullUrl -> `Patient/id` of the entries
 * that match a stored Patient.
 */
export function mergeIntoStored(
  entry: TransactionEntry,
  stored: Patient | undefined,
  versionId: number | undefined,
  storedIds: ReadonlyMap<string, string>,
): TransactionEntry {
  if (!stored || versionId === undefined || !isMergeEntry(entry)) return entry;
  const incoming = entry.resource as Patient;
  const { identifier, name, meta, active, ...carried } = incoming;
  // A link to the other Patient of the merge compares with the stored one by the id that fullUrl will become.
  const link = incoming.link?.map((l) => ({
    ...l,
    other: { ...l.other, reference: storedIds.get(l.other.reference ?? '') ?? l.other.reference },
  }));
  const { versionId: _v, lastUpdated: _l, ...storedMeta } = stored.meta ?? {};
  const resource: Patient = {
    ...carried,
    ...stored,
    active,
    identifier: union(stored.identifier, identifier, identifierKey),
    link: union(stored.link, link, linkKey),
    meta: { ...storedMeta, ...meta },
  };
  const names = union(stored.name, name, (n) => JSON.stringify(n));
  if (names.length > 0) resource.name = names;
  return { ...entry, resource, request: { ...entry.request, ifMatch: `W/"${versionId}"` } };
}
