/**
 * The engine: the one way into Fhirline's FHIR data for everything outside `server/` (the HL7 listener today;
 * subscriptions, workflows and jobs next). Each call names its principal and runs the same read path, search
 * compiler and write path as REST, so what a feature writes is validated, indexed, versioned and put in the
 * outbox exactly like a REST write.
 */
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { parseEntryRequest } from '../bundle/entry-request.ts';
import { applyTransaction, type EntryResult } from '../bundle/transaction.ts';
import type { Config } from '../config.ts';
import { requireWriteScope } from '../access/enforce.ts';
import { isJsonObject, parseFhirJson, stringifyFhirJson, type JsonObject, type JsonValue } from '../fhir-json/fhir-json.ts';
import type { Logger } from '../logger.ts';
import { findOneMatch } from '../repository/conditional.ts';
import { readResource } from '../repository/read-path.ts';
import { ResponseBudget } from '../repository/response-budget.ts';
import { searchBundle } from '../search/search-bundle.ts';
import type { Services } from '../services.ts';
import type { StoredDocument, WriteOperation } from '../store/port.ts';
import { featureCollection, type FeatureCollection } from './feature-collection.ts';
import type { Principal } from './principal.ts';

export interface TransactionOptions {
  /**
   * Operations on feature collections committed in the same unit as the entries, given their results (the HL7
   * archive record of a message: a message is applied and recorded together or not at all).
   */
  extra?: (results: ReadonlyMap<number, EntryResult>) => WriteOperation[];
}

export interface Engine {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  /** The current version of `type/id`; `not-found` or `gone` otherwise. */
  read(principal: Principal, type: string, id: string): Promise<JsonObject>;
  /** The one resource a conditional search matches (`identifier=sys|1`), or undefined; several: `precondition-failed`. */
  findOne(principal: Principal, type: string, query: string): Promise<JsonObject | undefined>;
  /**
   * A search as `GET [type]?query` answers it (`GET [base]?query` without a type), strict (an unknown parameter
   * is an error, never left out): the searchset Bundle, one page (`_count`, default DEFAULT_COUNT) with its
   * `next` link.
   */
  search(principal: Principal, type: string | undefined, query: string): Promise<Bundle>;
  /**
   * A FHIR transaction of Bundle entries (http.html#transaction): all or nothing, durable when it resolves. It is
   * also how a feature writes (create, update with If-Match, conditional writes, delete): one write path.
   */
  transaction(principal: Principal, entries: JsonValue[], options?: TransactionOptions): Promise<EntryResult[]>;
  /** Validates a resource as a write would, without writing: the failure's OperationOutcome, or undefined. */
  validate(principal: Principal, resource: JsonValue): Promise<OperationOutcome | undefined>;
  /** A feature's own collection, registered with the store before start (`Feature.collections`). */
  collection<T extends StoredDocument>(name: string): FeatureCollection<T>;
}

export function createEngine(services: Services): Engine {
  const { config, store, preparer } = services;
  return {
    config,
    // Read at each use: a test may hand the services another logger after start.
    get logger() {
      return services.logger;
    },
    async read(principal, type, id) {
      const { content } = await readResource(store, principal.access, type, id);
      // readResource answers `gone` for a deletion, the only version without content.
      return parseFhirJson(content ?? 'null') as JsonObject;
    },
    async findOne(principal, type, query) {
      const doc = await findOneMatch(store, config.baseUrl, principal.access, { type, query });
      return doc?.content ? (parseFhirJson(doc.content) as JsonObject) : undefined;
    },
    search(principal, type, query) {
      const pairs = [...new URLSearchParams(query)];
      const target = type ? { path: type, types: [type], pairs } : { path: '', pairs, system: true };
      return searchBundle({ ...services, access: principal.access }, target, true, new ResponseBudget(config.maxResponseBytes));
    },
    transaction(principal, entries, options = {}) {
      const requests = entries.map((entry, i) => parseEntryRequest(entry, i, config.baseUrl));
      return applyTransaction({ ...services, access: principal.access }, requests, {
        deleteMultiple: false,
        ...(options.extra && { extra: options.extra }),
      });
    },
    async validate(principal, resource) {
      if (isJsonObject(resource) && typeof resource.resourceType === 'string') requireWriteScope(principal.access, resource.resourceType);
      // In a prepare worker when there are some: a costly resource holds one of them, not the main thread.
      return (await preparer.validate(stringifyFhirJson(resource)))?.outcome;
    },
    collection: (name) => featureCollection(store, name),
  };
}
