/**
 * Who is asking. Every call into the engine names its principal; its `access` (server/access/access.ts) is what
 * the read and write paths apply, so no caller can go around it. The other fields are for audit records.
 */
import { NO_ACCESS, UNRESTRICTED, type Access } from '../access/access.ts';

export type Role = 'admin' | 'doctor' | 'nurse' | 'pharmacist' | 'lab-tech' | 'insurer' | 'patient';
export const ROLES: readonly Role[] = ['admin', 'doctor', 'nurse', 'pharmacist', 'lab-tech', 'insurer', 'patient'];

export interface Principal {
  /**
   * `system`: a part of Fhirline itself (the HL7 listener, a scheduled job); `client`: an application acting for
   * itself (Backend Services, the bootstrap client); `user`: a person signed in through an application;
   * `anonymous`: no credentials.
   */
  kind: 'system' | 'client' | 'user' | 'anonymous';
  /** A stable name for audit records, e.g. `system/hl7-listener`, `client/<client_id>`, `user/<username>`. */
  name: string;
  access: Access;
  clientId?: string;
  userId?: string;
  role?: Role;
  /** The FHIR resource the user speaks for, `Practitioner/1`. */
  fhirUser?: string;
  /** Launch context: `Patient/<id>`, `Encounter/<id>`. */
  patient?: string;
  encounter?: string;
  /** The scopes the token was granted, space-separated. */
  scope?: string;
}

/** A part of Fhirline acting on its own behalf, named for the audit trail. */
export function systemPrincipal(component: string): Principal {
  return { kind: 'system', name: `system/${component}`, access: UNRESTRICTED };
}

export const ANONYMOUS: Principal = { kind: 'anonymous', name: 'anonymous', access: NO_ACCESS };
