/**
 * Out-of-order ADT events must never move an Encounter backwards (issue 5). Which event is newer needs the
 * stored Encounter, which is I/O: the pure mapping stamps each Encounter with its event time (EVN-2, else MSH-7;
 * pv1.ts EVENT_TIME_URL) and this function is the hook the listener calls after reading the Encounter the
 * entry's condition matches, before applyTransaction. A stale entry becomes a conditional create with the same
 * fullUrl: nothing is overwritten, and the message's other resources still reference the stored Encounter.
 */
import type { Encounter } from '@medplum/fhirtypes';
import type { TransactionEntry } from '../entries.ts';
import { EVENT_TIME_URL } from '../segments/pv1.ts';

function eventTimeOf(encounter: Encounter | undefined): number | undefined {
  const text = encounter?.extension?.find((e) => e.url === EVENT_TIME_URL)?.valueDateTime;
  const ms = text === undefined ? NaN : Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `entry` unchanged when it is at least as new as `stored` (or either has no event time); else a no-op create. */
export function keepNewerEncounter(entry: TransactionEntry, stored: Encounter | undefined): TransactionEntry {
  if (entry.resource.resourceType !== 'Encounter' || entry.request.method !== 'PUT') return entry;
  const incoming = eventTimeOf(entry.resource as Encounter);
  const current = eventTimeOf(stored);
  if (incoming === undefined || current === undefined || incoming >= current) return entry;
  const query = entry.request.url.slice(entry.request.url.indexOf('?') + 1);
  return { ...entry, request: { method: 'POST', url: 'Encounter', ifNoneExist: query } };
}
