/**
 * Why a message could not be mapped. `unsupported` is answered AR (application reject: we cannot process this
 * kind of message at all), `fault` AE (application error) with an HL7 table 0357 code and the location of the
 * offending value in ERR-2 (https://www.hl7.org/implement/standards/product_brief.cfm, v2.5 chapter 2.15.5).
 */
import type { Location } from './access.ts';

/** HL7 table 0357 (message error condition codes) used by the mappings. */
export const ERROR_CODES = {
  segmentSequence: '100',
  requiredFieldMissing: '101',
  dataTypeError: '102',
  tableValueNotFound: '103',
  unsupportedMessageType: '200',
  unsupportedEventCode: '201',
  applicationInternalError: '207',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export class MappingError extends Error {
  readonly kind: 'unsupported' | 'fault';
  readonly code: ErrorCode;
  readonly location?: Location;

  constructor(kind: 'unsupported' | 'fault', code: ErrorCode, message: string, location?: Location) {
    super(message);
    this.name = 'MappingError';
    this.kind = kind;
    this.code = code;
    if (location) this.location = location;
  }
}

export function fault(code: ErrorCode, message: string, location?: Location): MappingError {
  return new MappingError('fault', code, message, location);
}

export function required(what: string, location: Location): MappingError {
  return fault(ERROR_CODES.requiredFieldMissing, `${what} is required`, location);
}
