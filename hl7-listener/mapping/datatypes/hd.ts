/**
 * HD (hierarchic designator: namespace id ^ universal id ^ universal id type) as an identifier system. The IG
 * leaves the system of a CX/EI to local configuration: the sender's table first (by namespace, then universal
 * id), then the universal id itself when its type says what it is (ISO -> urn:oid, UUID -> urn:uuid, URI).
 */
import type { SenderProfile } from '../context.ts';

export interface AssigningAuthority {
  namespace?: string;
  universalId?: string;
  universalIdType?: string;
}

export function systemFor(authority: AssigningAuthority, profile: SenderProfile): string | undefined {
  const { namespace, universalId, universalIdType } = authority;
  const table = profile.identifierSystems;
  if (namespace !== undefined && Object.hasOwn(table, namespace)) return table[namespace];
  if (universalId !== undefined && Object.hasOwn(table, universalId)) return table[universalId];
  if (universalId === undefined) return undefined;
  switch (universalIdType?.toUpperCase()) {
    case 'ISO':
      return /^[0-2](\.(0|[1-9]\d*))+$/.test(universalId) ? `urn:oid:${universalId}` : undefined;
    case 'UUID':
      return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(universalId) ? `urn:uuid:${universalId.toLowerCase()}` : undefined;
    case 'URI':
    case 'URL':
      return /^[a-z][a-z0-9+.-]*:\S+$/i.test(universalId) ? universalId : undefined;
    default:
      return undefined;
  }
}
