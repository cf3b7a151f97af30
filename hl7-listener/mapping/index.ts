/**
 * Entry point of the HL7 v2 -> FHIR mappings: the transaction entries for one message, or a MappingError.
 * Placeholder until the message mappings land: every message type is unsupported (answered AR, 0357 code 200).
 */
import type { Hl7Message } from '../message.ts';
import type { MappingContext } from './context.ts';
import type { TransactionEntry } from './entries.ts';
import { ERROR_CODES, MappingError } from './errors.ts';

export function mapMessage(message: Hl7Message, context: MappingContext): TransactionEntry[] {
  void context;
  const type = (message.segments[0]?.fields[9]?.[0] ?? []).map((c) => c[0] ?? '').join('^');
  throw new MappingError('unsupported', ERROR_CODES.unsupportedMessageType, `message type ${type} is not supported`, { segment: 'MSH', sequence: 1, field: 9 });
}
