/**
 * What a test server stored, read straight from its store (for tests beside code outside `server/`, which may
 * import only the engine façade from `server/`).
 */
import type { ResourceDocument } from '../../server/store/documents.ts';
import type { TestServer } from './in-process-server.ts';

/** The current documents of a type (deleted ones too unless `live`), with their JSON text in `content`. */
export function storedDocuments(server: TestServer, type: string, live = false): Promise<ResourceDocument[]> {
  return server.services.store.find<ResourceDocument>('resources', { resourceType: type, ...(live && { deleted: false }) });
}
