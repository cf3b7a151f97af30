/**
 * The HL7 v2 listener as a Fhirline feature (server/engine/feature.ts): its archive collection, its admin routes
 * under `/admin/hl7`, and the MLLP server, started once the engine is up and closed before the store.
 */
import type { Feature } from '../server/engine/index.ts';
import { hl7AdminRouter } from './admin/routes.ts';
import { ARCHIVE_COLLECTION } from './archive.ts';
import { startMllpServer } from './mllp-server.ts';
import { AUTHORITIES_COLLECTION } from './unmapped-authorities.ts';

export function hl7Listener(): Feature {
  return {
    name: 'hl7-listener',
    collections: [ARCHIVE_COLLECTION, AUTHORITIES_COLLECTION],
    routes: (engine) => hl7AdminRouter(engine),
    start: (engine) => startMllpServer(engine),
  };
}
