/**
 * The façade: everything outside `server/` imports from here and nowhere else in `server/` (test/architecture
 * checks it). What it offers is the engine (read, search, transactions, validation, feature collections), the
 * principal every call names, the error type, JSON that keeps decimal precision, and the few HTTP helpers a
 * feature's admin routes need to answer like the rest of the server.
 */
export { createEngine, type Engine, type TransactionOptions } from './engine.ts';
export type { Feature, RunningFeature } from './feature.ts';
export type { FeatureCollection } from './feature-collection.ts';
export { ANONYMOUS, systemPrincipal, type Principal } from './principal.ts';
export type { EntryResult } from '../bundle/transaction.ts';
export type { Config } from '../config.ts';
export type { Logger } from '../logger.ts';
export { FhirError, badRequest, conflict, notFound, type ErrorKind } from '../errors/fhir-error.ts';
export { isJsonObject, parseFhirJson, stringifyFhirJson, toPlain, type JsonObject, type JsonValue } from '../fhir-json/fhir-json.ts';
export { readJsonBody } from '../http/body.ts';
export { sendJson } from '../http/respond.ts';
export type { CollectionSpec, Filter, StoredDocument, WriteOperation } from '../store/port.ts';
