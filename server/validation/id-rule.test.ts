import assert from 'node:assert/strict';
import { FhirError } from '../errors/fhir-error.ts';
import { loadDefinitions } from './definitions.ts';
import { assertResourceType, assertValidId, isValidId } from './id-rule.ts';

describe('id rule (https://hl7.org/fhir/R4/datatypes.html#id)', () => {
  it('accepts 1-64 of A-Z a-z 0-9 - . except the dot-segments . and ..', () => {
    for (const id of ['a', 'Patient-1', '1.2.840', 'x'.repeat(64), '...', '.a', 'a..']) assert.equal(isValidId(id), true, id);
    for (const id of ['', '.', '..', 'x'.repeat(65), 'a_b', 'a/b', 'a b', 'é']) assert.equal(isValidId(id), false, id);
  });

  it('assertValidId is invalid (400) naming where the id came from; assertResourceType is not-found (404)', () => {
    assert.throws(
      () => assertValidId('..', 'Bundle.entry[1].request.url'),
      (err: unknown) =>
        err instanceof FhirError && err.kind === 'invalid' && err.outcome.issue[0].expression?.[0] === 'Bundle.entry[1].request.url',
    );
    loadDefinitions();
    assert.doesNotThrow(() => assertResourceType('Patient'));
    assert.throws(
      () => assertResourceType('Patients'),
      (err: unknown) => err instanceof FhirError && err.kind === 'not-found',
    );
  });
});
