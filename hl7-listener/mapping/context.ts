/**
 * What a mapping needs besides the message: who sent it, that sender's configuration (which identifier
 * system each assigning authority stands for, which time zone its local times are in) and where the
 * archived message is, for provenance. Built by the listener per message; see senders.ts for the file.
 */
import type { PlaceholderSender } from './placeholder-systems.ts';

export interface SenderProfile {
  /**
   * Assigning authority (CX-4 / EI-2 namespace id, or its universal id) -> Identifier.system. The IG's CX
   * map leaves the system to local configuration (https://build.fhir.org/ig/HL7/v2-to-fhir/datatype_maps.html).
   */
  identifierSystems: Record<string, string>;
  /** IANA time zone of the sender's local times (DTM without an offset). Default `UTC`. */
  timeZone?: string;
  /**
   * An assigning authority not in `identifierSystems`: `accept` (default) gives it a placeholder system
   * (placeholder-systems.ts), `reject` refuses a message whose patient or order it would identify (0357 code 103).
   */
  unknownAuthorities?: 'accept' | 'reject';
  /** Set by profileFor unless `reject`: the sender whose placeholder systems unmapped authorities get. */
  placeholders?: PlaceholderSender;
}

export interface MappingContext {
  /** MSH-3 and MSH-4 namespace ids. */
  sender: { application: string; facility: string };
  profile: SenderProfile;
  /**
   * URI of the archived raw message: every produced resource carries it in `meta.source`
   * (https://hl7.org/fhir/R4/resource-definitions.html#Meta.source).
   */
  source: string;
}
