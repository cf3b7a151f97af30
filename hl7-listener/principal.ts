/** The listener writes as its own system principal, named in every audit record of what a message changed. */
import { systemPrincipal } from '../server/engine/index.ts';

export const HL7_LISTENER = systemPrincipal('hl7-listener');
