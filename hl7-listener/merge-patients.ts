/**
 * An A40 merge keeps what is stored (issue 10; mapping/messages/merge-stored.ts): before the transaction, each
 * Patient entry of the merge is combined with the Patient its condition matches now.
 */
import type { Patient } from '@medplum/fhirtypes';
import type { Engine, JsonObject } from '../server/engine/index.ts';
import type { TransactionEntry } from './mapping/entries.ts';
import { isMergeEntry, mergeIntoStored } from './mapping/messages/merge-stored.ts';
import { HL7_LISTENER } from './principal.ts';

export async function mergeIntoStoredPatients(engine: Engine, entries: TransactionEntry[]): Promise<TransactionEntry[]> {
  const matches = new Map<TransactionEntry, JsonObject>();
  const storedIds = new Map<string, string>();
  for (const entry of entries) {
    if (!isMergeEntry(entry)) continue;
    const query = entry.request.url.slice(entry.request.url.indexOf('?') + 1);
    // As stored, decimals in extensions keeping their text through the new version.
    const match = await engine.findOne(HL7_LISTENER, 'Patient', query);
    if (!match) continue;
    matches.set(entry, match);
    storedIds.set(entry.fullUrl, `Patient/${String(match.id)}`);
  }
  return entries.map((entry) => {
    const match = matches.get(entry);
    return match ? mergeIntoStored(entry, match as unknown as Patient, Number((match.meta as JsonObject).versionId), storedIds) : entry;
  });
}
