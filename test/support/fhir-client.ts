/**
 * The requests most end-to-end tests make of an in-process server (see in-process-server.ts): create a resource,
 * asserting 201 (http.html#create), and the ids a search matches (search.mode = match, bundle.html#searchset).
 *
 *   const { http } = useTestServer();
 *   const { create, ids } = fhirClient(http);
 *   const p = await create({ resourceType: 'Patient' });
 *   assert.deepEqual(await ids(`/fhir/Patient?_id=${p.id}`), [p.id]);
 */
import assert from 'node:assert/strict';
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import { FHIR_JSON } from './fhir-requests.ts';
import type { Http } from './in-process-server.ts';

/** A searchset entry as tests read it: `search.mode` is match, include or outcome. */
export interface SearchEntry {
  resource: { resourceType: string; id: string };
  search: { mode: string };
}

/** A resource to send: a plain object, so a test can send what the spec forbids. */
export type ResourceToSend = { resourceType: string } & Record<string, unknown>;

export interface FhirClient {
  /** `POST [base]/[type]`; asserts 201 and answers the stored resource. */
  create(resource: ResourceToSend): Promise<Resource & { id: string }>;
  /** `GET url` (a path under the app); asserts 200 and answers the ids of the match entries, sorted. */
  ids(url: string, headers?: Record<string, string>): Promise<string[]>;
}

export function fhirClient(http: Http): FhirClient {
  return {
    async create(resource) {
      const res = await http.post(`/fhir/${resource.resourceType}`).set('content-type', FHIR_JSON).send(JSON.stringify(resource));
      assert.equal(res.status, 201, res.text);
      return res.body as Resource & { id: string };
    },
    async ids(url, headers = {}) {
      const res = await http.get(url).set(headers);
      assert.equal(res.status, 200, res.text);
      return ((res.body.entry ?? []) as SearchEntry[])
        .filter((e) => e.search.mode === 'match')
        .map((e) => e.resource.id)
        .sort();
    },
  };
}

/**
 * Asserts an error answer: `status` and an OperationOutcome whose first issue has `code` and, when given,
 * `expression` as its only expression; answers the OperationOutcome.
 */
export function assertOutcome(
  res: { status: number; body: unknown; text: string },
  status: number,
  code: string,
  expression?: string,
  label = '',
): OperationOutcome {
  assert.equal(res.status, status, `${label} ${res.text}`);
  const outcome = res.body as OperationOutcome;
  assert.equal(outcome.resourceType, 'OperationOutcome', label);
  assert.equal(outcome.issue?.[0]?.code, code, label);
  if (expression !== undefined) assert.deepEqual(outcome.issue?.[0]?.expression, [expression], label);
  return outcome;
}
