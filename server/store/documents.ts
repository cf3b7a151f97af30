/**
 * The documents Fhirline stores, the same in MongoDB and in the embedded store. See ./README.md.
 */
import type { StoredDocument } from './port.ts';

/** Search values extracted at write time (MongoDB attribute pattern: a few multikey fields, a few indexes). */
export interface SearchValues {
  /** Tokens: `param|code|system` (system empty when absent; see search-index/extract.ts tokenKey). */
  tok: string[];
  /** References: `param|Type/id` (and `param|url` for absolute or canonical references). */
  ref: string[];
  /** Strings, normalised (lower case, accents removed): `param|value`. */
  str: string[];
  /** Dates as ranges: the instant the value starts and the instant it ends, by its precision. */
  dt: { p: string; lo: string; hi: string }[];
  /** Numbers and quantities as ranges by their precision; `u` is `system|code` of a quantity unit. */
  num: { p: string; lo: number; hi: number; u?: string }[];
  /** URIs and canonicals: `param|uri`. */
  uri: string[];
  /** Strings exactly as written (for `:exact`): `param|Original Text`. */
  strx?: string[];
  /**
   * Composite tuples (https://hl7.org/fhir/R4/search.html#composite): one per element the composite's expression
   * selects, holding the values of each component of that element under the component's own parameter code.
   */
  cmp?: CompositeTuple[];
  /** The codes of the parameters that have at least one value (for `:missing`). */
  has?: string[];
  /** Sort keys, ascending: per parameter its lowest value (normalised string, code, date `lo`, number). */
  sk?: Record<string, string | number>;
  /** Sort keys, descending: per parameter its highest value (date `hi`). */
  skd?: Record<string, string | number>;
}

/** The values of one element of a composite parameter `p`, in the shapes of the fields above. */
export interface CompositeTuple extends Partial<Pick<SearchValues, 'tok' | 'ref' | 'str' | 'strx' | 'dt' | 'num' | 'uri'>> {
  p: string;
}

/** Collection `resources`: the current version of each resource (a deleted one stays as a tombstone). */
export interface ResourceDocument extends StoredDocument, SearchValues {
  /** `Type/id` */
  _id: string;
  resourceType: string;
  id: string;
  versionId: number;
  /** ISO 8601 instant in UTC with milliseconds, the same as `meta.lastUpdated`. */
  lastUpdated: string;
  deleted: boolean;
  /** The resource's JSON text exactly as it is served (decimals keep their precision); null once deleted. */
  content: string | null;
}

/** Collection `history`: every version ever written, immutable. */
export interface HistoryDocument extends StoredDocument {
  /** `Type/id/_history/versionId` */
  _id: string;
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** null for a deletion */
  content: string | null;
}

/** Collection `outbox`: one event per change, written in the same unit as the change. */
export interface OutboxDocument extends StoredDocument {
  /** `lastUpdated|Type/id/versionId`: sorts in commit-time order */
  _id: string;
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  action: 'create' | 'update' | 'delete';
}

/**
 * Collection `conditional`: the resource a conditional create (or conditional update that created) made for
 * one search, `_id` = `Type?canonical query`. Two writers racing to create for the same search both claim
 * this key in their atomic unit, so one of them fails and re-runs its search (server/repository/conditional.ts).
 */
export interface ConditionalDocument extends StoredDocument {
  _id: string;
  /** `Type/id` */
  target: string;
}

/**
 * Collection `hl7messages`: every HL7 v2 message received over MLLP (hl7-listener/archive.ts). `_id` is derived
 * from the sender (MSH-3, MSH-4) and MSH-10, so a re-sent message finds its record and gets the same ACK; a
 * frame too broken to name its sender gets an id of its own.
 */
export interface Hl7MessageDocument extends StoredDocument {
  _id: string;
  /** The frame's bytes, base64: replayed exactly as received. */
  raw: string;
  /** The message text decoded (MSH-18), segments separated by CR. */
  text: string;
  peer: string;
  sendingApplication: string;
  sendingFacility: string;
  controlId: string;
  /** MSH-9, e.g. `ORU^R01`. */
  messageType: string;
  /** ISO 8601 instant of the first receipt. */
  receivedAt: string;
  /** `applied` (AA/CA), `failed` (AE/AR: the error queue). */
  status: 'applied' | 'failed';
  /** MSA-1 of the ACK sent and the ACK itself, sent again unchanged to a re-sent message. */
  ackCode: string;
  ack: string;
  error?: { code: string; text: string; location?: { segment: string; sequence: number; field?: number; component?: number } };
  /** `Type/id` of every resource the message wrote. */
  resources: string[];
  /** Times it was applied again through `$replay`, and when last. */
  replays: number;
  replayedAt?: string;
}

/**
 * Collection `hl7authorities`: one document per applied HL7 message and placeholder identifier system it used
 * (hl7-listener/unmapped-authorities.ts), written in the message's unit; `_id` = archive id + system hash.
 */
export interface Hl7AuthorityDocument extends StoredDocument {
  _id: string;
  /** The placeholder Identifier.system (hl7-listener/mapping/placeholder-systems.ts). */
  system: string;
  /** The assigning authority as sent (CX-4.1, EI-2), or `(none: role)`. */
  namespace: string;
  /** MSH-3^MSH-4. */
  sender: string;
  /** The archived message (collection `hl7messages`). */
  message: string;
  receivedAt: string;
}
