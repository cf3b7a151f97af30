import assert from 'node:assert/strict';
import { badRequest, FhirError, notFound } from '../server/engine/index.ts';
import { ackFailure } from './ack-code.ts';
import { ERROR_CODES, MappingError } from './mapping/errors.ts';

describe('ACK code of a failure (HL7 table 0357, issue 10)', () => {
  const of = (e: unknown) => {
    const { outcome, error } = ackFailure(e);
    return `${outcome} ${error.code}`;
  };
  it('FhirError kinds: not-found AE 204, conflict AE 207 (retry), too-large AR 207, several matches AE 205, invalid by issue type', () => {
    assert.equal(of(notFound('No ServiceRequest matches')), 'error 204');
    assert.equal(of(FhirError.of('conflict', 'conflict', 'concurrent')), 'error 207');
    assert.equal(of(FhirError.of('too-large', 'too-costly', 'big')), 'reject 207');
    assert.equal(of(FhirError.of('precondition-failed', 'multiple-matches', 'several')), 'error 205');
    assert.equal(of(FhirError.of('invalid', 'required', 'missing')), 'error 101');
    assert.equal(of(badRequest('bad')), 'error 207');
  });
  it('mapping errors keep their code; anything else is AE 207 naming its class', () => {
    assert.equal(of(new MappingError('unsupported', ERROR_CODES.unsupportedMessageType, 'SIU')), 'reject 200');
    assert.equal(of(new MappingError('fault', ERROR_CODES.dataTypeError, 'NM')), 'error 102');
    assert.deepEqual(ackFailure(new RangeError('x')).error, { code: '207', text: 'application internal error (RangeError)' });
  });
});
