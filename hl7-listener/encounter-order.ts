/**
 * Out-of-order ADT events never move an Encounter backwards (issue 5; hl7-listener/mapping/README.md): before
 * the transaction, each `PUT Encounter?identifier=...` entry is compared with the Encounter it matches now,
 * and a stale one becomes a conditional create (mapping/messages/encounter-order.ts keepNewerEncounter).
 * Two messages about one Encounter on two connections at the same instant remain last-writer-wins.
 */
import type { Encounter } from '@medplum/fhirtypes';
import { toPlain, type Engine } from '../server/engine/index.ts';
import type { TransactionEntry } from './mapping/entries.ts';
import { keepNewerEncounter } from './mapping/index.ts';
import { HL7_LISTENER } from './principal.ts';

export async function keepEncountersNewer(engine: Engine, entries: TransactionEntry[]): Promise<TransactionEntry[]> {
  const out: TransactionEntry[] = [];
  for (const entry of entries) {
    const { method, url } = entry.request;
    if (entry.resource.resourceType !== 'Encounter' || method !== 'PUT' || !url.startsWith('Encounter?')) {
      out.push(entry);
      continue;
    }
    const match = await engine.findOne(HL7_LISTENER, 'Encounter', url.slice('Encounter?'.length));
    const stored = match ? toPlain<Encounter>(match) : undefined;
    out.push(keepNewerEncounter(entry, stored));
  }
  return out;
}
