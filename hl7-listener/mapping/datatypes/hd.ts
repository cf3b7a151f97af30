/**
 * HD (hierarchic designator: namespace id ^ universal id ^ universal id type) as an identifier system. The IG
 * leaves the system of a CX/EI to local configuration: the sender's table first (by namespace, then universal
 * id), then the universal id itself when its type says what it is (ISO -> urn:oid, UUID -> urn:uuid, URI),
 * then, unless the sender's profile says `reject`, a placeholder system (../placeholder-systems.ts).
 */
import type { SenderProfile } from '../context.ts';
import { placeholderSystem, type UnnamedRole } from '../placeholder-systems.ts';

export interface AssigningAuthority {
  namespace?: string;
  universalId?: string;
  universalIdType?: string;
}

/** The sender's table entry for `key` (a namespace or universal id). */
export function tableSystem(profile: SenderProfile, key: string | undefined): string | undefined {
  return key !== undefined && Object.hasOwn(profile.identifierSystems, key) ? profile.identifierSystems[key] : undefined;
}

/**
 * `role`: the identifier is a key (PID-3, placer or filler number), so even one with no assigning authority at
 * all gets a placeholder system rather than none.
 */
export function systemFor(authority: AssigningAuthority, profile: SenderProfile, role?: UnnamedRole): string | undefined {
  const { namespace, universalId } = authority;
  const system = tableSystem(profile, namespace) ?? tableSystem(profile, universalId) ?? universalIdSystem(authority);
  if (system !== undefined || !profile.placeholders) return system;
  return placeholderSystem(profile.placeholders, namespace ?? universalId, role);
}

function universalIdSystem({ universalId, universalIdType }: AssigningAuthority): string | undefined {
  if (universalId === undefined) return undefined;
  switch (universalIdType?.toUpperCase()) {
    case 'ISO':
      return /^[0-2](\.(0|[1-9]\d*))+$/.test(universalId) ? `urn:oid:${universalId}` : undefined;
    case 'UUID':
      return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(universalId)
        ? `urn:uuid:${universalId.toLowerCase()}`
        : undefined;
    case 'URI':
    case 'URL':
      return /^[a-z][a-z0-9+.-]*:\S+$/i.test(universalId) ? universalId : undefined;
    default:
      return undefined;
  }
}
