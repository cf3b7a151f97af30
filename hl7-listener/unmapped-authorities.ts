/**
 * Assigning authorities a sender used without a mapping (issue 10): the messages map them to placeholder systems
 * (mapping/placeholder-systems.ts); the listener records each use in collection `hl7authorities` in the same
 * unit as the message (so the list survives a restart and counts only applied messages), logs a warning the
 * first time this process sees one, and `GET /admin/hl7/unmapped-authorities` lists them.
 */
import { hash } from 'node:crypto';
import type { CollectionSpec, Engine, FeatureCollection, Logger, StoredDocument, WriteOperation } from '../server/engine/index.ts';
import type { TransactionEntry } from './mapping/entries.ts';
import { isPlaceholderSystem, placeholderNamespace } from './mapping/placeholder-systems.ts';

/**
 * Collection `hl7authorities`: one document per applied HL7 message and placeholder identifier system it used,
 * written in the message's unit; `_id` = archive id + system hash.
 */
export interface Hl7AuthorityDocument extends StoredDocument {
  _id: string;
  /** The placeholder Identifier.system (mapping/placeholder-systems.ts). */
  system: string;
  /** The assigning authority as sent (CX-4.1, EI-2), or `(none: role)`. */
  namespace: string;
  /** MSH-3^MSH-4. */
  sender: string;
  /** The archived message (collection `hl7messages`). */
  message: string;
  receivedAt: string;
}

export const AUTHORITIES_COLLECTION: CollectionSpec = { name: 'hl7authorities', indexes: [] };

export function authoritiesOf(engine: Engine): FeatureCollection<Hl7AuthorityDocument> {
  return engine.collection<Hl7AuthorityDocument>(AUTHORITIES_COLLECTION.name);
}

/** Every placeholder `system` in the entries' resources (identifiers, also inside references). */
export function placeholderSystemsIn(entries: TransactionEntry[]): string[] {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'system' && typeof v === 'string') {
          if (isPlaceholderSystem(v)) found.add(v);
        } else if (typeof v === 'object') walk(v);
      }
    }
  };
  for (const entry of entries) walk(entry.resource);
  return [...found];
}

/** Upserts (a replay of the same message writes the same documents again). */
export function authorityOperations(
  authorities: FeatureCollection<Hl7AuthorityDocument>,
  message: string,
  sender: string,
  receivedAt: string,
  systems: string[],
): WriteOperation[] {
  return systems.map((system) => {
    const doc: Hl7AuthorityDocument = {
      _id: `${message}|${hash('sha256', system, 'hex').slice(0, 16)}`,
      system,
      namespace: placeholderNamespace(system) ?? '',
      sender,
      message,
      receivedAt,
    };
    return authorities.replace(doc);
  });
}

const warned = new Set<string>();

/** Once per process and system; the namespace and sender are configuration, not patient data. */
export function warnUnmapped(logger: Logger, sender: string, systems: string[]): void {
  for (const system of systems) {
    if (warned.has(system)) continue;
    warned.add(system);
    logger.warn('hl7 assigning authority not in HL7_SENDERS: placeholder identifier system used', {
      sender,
      namespace: placeholderNamespace(system),
      system,
    });
  }
}

export interface UnmappedAuthority {
  sender: string;
  namespace: string;
  system: string;
  firstSeen: string;
  lastSeen: string;
  /** Applied messages that used it. */
  count: number;
}

/** One row per sender and placeholder system, first seen first. */
export async function unmappedAuthorities(engine: Engine): Promise<UnmappedAuthority[]> {
  const rows = new Map<string, UnmappedAuthority>();
  for (const doc of await authoritiesOf(engine).find({})) {
    const key = `${doc.sender}\u0000${doc.system}`;
    const row = rows.get(key);
    if (!row) {
      rows.set(key, {
        sender: doc.sender,
        namespace: doc.namespace,
        system: doc.system,
        firstSeen: doc.receivedAt,
        lastSeen: doc.receivedAt,
        count: 1,
      });
      continue;
    }
    row.count++;
    if (doc.receivedAt < row.firstSeen) row.firstSeen = doc.receivedAt;
    if (doc.receivedAt > row.lastSeen) row.lastSeen = doc.receivedAt;
  }
  return [...rows.values()].sort((a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.system.localeCompare(b.system));
}
