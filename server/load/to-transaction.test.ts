import assert from 'node:assert/strict';
import { parseFhirJson } from '../fhir-json/fhir-json.ts';
import { entryOfResourceText, requestFor, sendableOf, transactionText } from './to-transaction.ts';

const sendable = (text: string) => sendableOf(parseFhirJson(text), text);

describe('load: what each input becomes (http.html#transaction)', () => {
  it('a resource with an id is stored by PUT Type/id (ids and references kept), one without by POST Type', () => {
    assert.deepEqual(requestFor({ resourceType: 'Patient', id: 'p1' }), { method: 'PUT', url: 'Patient/p1' });
    assert.deepEqual(requestFor({ resourceType: 'Patient' }), { method: 'POST', url: 'Patient' });
  });

  it('an NDJSON line is embedded verbatim, so decimals keep their precision (datatypes.html#decimal)', () => {
    const line = '{"resourceType":"Observation","id":"o1","valueQuantity":{"value":13.50}}';
    const entry = entryOfResourceText(line);
    assert.equal(entry.type, 'Observation');
    const bundle = transactionText([entry, entryOfResourceText('{"resourceType":"Patient"}')]);
    assert.ok(bundle.includes('"value":13.50'));
    const parsed = JSON.parse(bundle);
    assert.equal(parsed.type, 'transaction');
    assert.deepEqual(
      parsed.entry.map((e: { request: object }) => e.request),
      [
        { method: 'PUT', url: 'Observation/o1' },
        { method: 'POST', url: 'Patient' },
      ],
    );
  });

  it('a line that is not a JSON object with a resourceType is refused', () => {
    assert.throws(() => entryOfResourceText('not json'));
    assert.throws(() => entryOfResourceText('[1,2]'), /not a JSON object/);
    assert.throws(() => entryOfResourceText('{"id":"x"}'), /no resourceType/);
  });

  it('a transaction or batch Bundle is sent exactly as written', () => {
    const text =
      '{"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"DELETE","url":"Patient/1"}},{"resource":{"resourceType":"Observation","valueQuantity":{"value":1.10}},"request":{"method":"POST","url":"Observation"}}]}';
    const out = sendable(text);
    assert.equal(out.bundleType, 'batch');
    assert.equal(out.body, text);
    assert.deepEqual(out.types, ['Patient', 'Observation']);
  });

  it('a collection becomes a transaction of its resources, fullUrls kept so urn:uuid references are rewritten', () => {
    const text = JSON.stringify({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { fullUrl: 'urn:uuid:a', resource: { resourceType: 'Patient' } },
        { fullUrl: 'urn:uuid:b', resource: { resourceType: 'Observation', id: 'o1', subject: { reference: 'urn:uuid:a' } } },
        { fullUrl: 'urn:uuid:c' },
      ],
    });
    const out = sendable(text);
    const body = JSON.parse(out.body);
    assert.equal(body.type, 'transaction');
    assert.deepEqual(out.types, ['Patient', 'Observation']);
    assert.deepEqual(body.entry[0], {
      fullUrl: 'urn:uuid:a',
      resource: { resourceType: 'Patient' },
      request: { method: 'POST', url: 'Patient' },
    });
    assert.deepEqual(body.entry[1].request, { method: 'PUT', url: 'Observation/o1' });
  });

  it('a single resource, and a document Bundle (bundle.html#document), are stored whole as one entry', () => {
    const one = JSON.parse(sendable('{"resourceType":"Patient","id":"p9","birthDate":"1970-01-01"}').body);
    assert.deepEqual(one.entry, [
      { resource: { resourceType: 'Patient', id: 'p9', birthDate: '1970-01-01' }, request: { method: 'PUT', url: 'Patient/p9' } },
    ]);
    const doc = sendable('{"resourceType":"Bundle","type":"document","entry":[{"resource":{"resourceType":"Composition"}}]}');
    assert.deepEqual(doc.types, ['Bundle']);
    assert.equal(JSON.parse(doc.body).entry[0].resource.type, 'document');
  });

  it('JSON that is not a resource is refused', () => {
    assert.throws(() => sendable('{"name":"x"}'), /no resourceType/);
  });
});
