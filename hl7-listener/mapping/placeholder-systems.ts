/**
 * Placeholder identifier systems for assigning authorities the sender's table does not map (README,
 * "Identifier systems"). The IG leaves the system of a CX/EI to local configuration
 * (https://build.fhir.org/ig/HL7/v2-to-fhir/datatype_maps.html); refusing every unmapped authority would make a
 * new interface unusable until someone writes a mapping file, so a deterministic system is derived from the
 * sender and the namespace instead, and listed (GET /admin/hl7/unmapped-authorities) until it is mapped and
 * moved (POST /admin/hl7/identifier-systems/$move).
 *
 *   http://fhirline.org/fhir/hl7v2/facility/{MSH-4}/authority/{CX-4.1 or EI-2}
 *   http://fhirline.org/fhir/hl7v2/facility/{MSH-4}/unnamed/{patient|placer|filler}   (no assigning authority)
 *   .../application/{MSH-3}/...                                                       (when MSH-4 is empty)
 *
 * The facility, not the application: a hospital's ADT and lab systems share its MRN namespace.
 */

export const PLACEHOLDER_BASE = 'http://fhirline.org/fhir/hl7v2/';

/** What an identifier without assigning authority stands for, so placer and filler numbers never collide. */
export type UnnamedRole = 'patient' | 'placer' | 'filler';

export interface PlaceholderSender {
  application: string;
  facility: string;
}

export function placeholderSystem(sender: PlaceholderSender, namespace: string | undefined, role?: UnnamedRole): string | undefined {
  const owner =
    sender.facility !== '' ? `facility/${encodeURIComponent(sender.facility)}` : `application/${encodeURIComponent(sender.application)}`;
  if (namespace !== undefined) return `${PLACEHOLDER_BASE}${owner}/authority/${encodeURIComponent(namespace)}`;
  return role !== undefined ? `${PLACEHOLDER_BASE}${owner}/unnamed/${role}` : undefined;
}

const PATTERN = /^http:\/\/fhirline\.org\/fhir\/hl7v2\/(facility|application)\/([^/]*)\/(authority|unnamed)\/([^/]+)$/;

/** The namespace a placeholder system stands for (`(none: patient)` for an unnamed one); undefined for others. */
export function placeholderNamespace(system: string): string | undefined {
  const m = PATTERN.exec(system);
  if (!m) return undefined;
  return m[3] === 'authority' ? decodeURIComponent(m[4]) : `(none: ${m[4]})`;
}

export function isPlaceholderSystem(system: string): boolean {
  return PATTERN.test(system);
}
