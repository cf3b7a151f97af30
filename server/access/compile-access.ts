/**
 * PLACEHOLDER (the `access` engineer writes the real one; the merge takes theirs): what a grant may do.
 */
import type { Role } from '../engine/principal.ts';
import type { Store } from '../store/port.ts';
import { NO_ACCESS, UNRESTRICTED, type Access } from './access.ts';

export interface Grant {
  scope: string;
  clientScope: string;
  role?: Role;
  fhirUser?: string;
  patient?: string;
  admin: boolean;
}

export interface AccessContext {
  store: Store;
  baseUrl: string;
}

export function compileAccess(context: AccessContext, grant: Grant): Promise<Access> {
  void context;
  const all = grant.scope.split(/\s+/).includes('system/*.*');
  return Promise.resolve(all ? { ...UNRESTRICTED, admin: grant.admin } : { ...NO_ACCESS, admin: grant.admin });
}
