/**
 * Who is asking. Every call into the engine names its principal: today only recorded; the authorization issue
 * compiles a principal's permissions into the filters the read path applies, so no caller can go around them.
 */
export interface Principal {
  /** `system`: a part of Fhirline itself (the HL7 listener, a scheduled job); `anonymous`: no credentials. */
  kind: 'system' | 'anonymous';
  /** A stable name for audit records, e.g. `system/hl7-listener`. */
  name: string;
}

/** A part of Fhirline acting on its own behalf, named for the audit trail. */
export function systemPrincipal(component: string): Principal {
  return { kind: 'system', name: `system/${component}` };
}

export const ANONYMOUS: Principal = { kind: 'anonymous', name: 'anonymous' };
