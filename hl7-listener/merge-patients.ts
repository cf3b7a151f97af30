/**
 * An A40 merge keeps what is stored (issue 10; mapping/messages/merge-stored.ts): before the transaction, each
 * Patient entry of the merge is combined with the Patient its condition matches now.
 */
import type { Patient } from '@medplum/fhirtypes';
import { parseFhirJson, type JsonObject } from '../server/fhir-json/fhir-json.ts';
import type { Services } from '../server/services.ts';
import { findOneMatch } from '../server/repository/conditional.ts';
import type { ResourceDocument } from '../server/store/documents.ts';
import type { TransactionEntry } from './mapping/entries.ts';
import { isMergeEntry, mergeIntoStored } from './mapping/messages/merge-stored.ts';

export async function mergeIntoStoredPatients({ store, config }: Services, entries: TransactionEntry[]): Promise<TransactionEntry[]> {
  const matches = new Map<TransactionEntry, ResourceDocument>();
  const storedIds = new Map<string, string>();
  for (const entry of entries) {
    if (!isMergeEntry(entry)) continue;
    const query = entry.request.url.slice(entry.request.url.indexOf('?') + 1);
    const match = await findOneMatch(store, config.baseUrl, { type: 'Patient', query });
    if (!match?.content) continue;
    matches.set(entry, match);
    storedIds.set(entry.fullUrl, match._id);
  }
  return entries.map((entry) => {
    const match = matches.get(entry);
    // parseFhirJson, not toPlain: decimals in extensions keep their text through the new version.
    return match ? mergeIntoStored(entry, parseFhirJson(match.content!) as JsonObject as unknown as Patient, match.versionId, storedIds) : entry;
  });
}
