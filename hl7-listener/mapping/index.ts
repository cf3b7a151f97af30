/**
 * HL7 v2 message -> the entries of one FHIR transaction (https://hl7.org/fhir/R4/http.html#transaction),
 * dispatched on MSH-9. Pure: the listener applies the entries with server/bundle/transaction.ts and answers
 * AA; an error `unsupported` -> AR (table 0357 code 200/201), `fault` -> AE with the code and location
 * (ERR-2). See README.md.
 */
import type { Hl7Message } from '../message.ts';
import type { MappingContext } from './context.ts';
import type { TransactionEntry } from './entries.ts';
import { ERROR_CODES, MappingError } from './errors.ts';
import { ADT_EVENTS, mapAdt } from './messages/adt.ts';
import { mapA40 } from './messages/adt-a40.ts';
import { messageType } from './messages/header.ts';
import { mapOrders } from './messages/orm.ts';
import { mapResults } from './messages/oru.ts';

export type { MappingContext, SenderProfile } from './context.ts';
export type { TransactionEntry } from './entries.ts';
export { MappingError } from './errors.ts';
export { keepNewerEncounter } from './messages/encounter-order.ts';

const MSH9 = { segment: 'MSH', sequence: 1, field: 9 };

const STRUCTURES: Record<string, (message: Hl7Message, event: string, context: MappingContext) => TransactionEntry[]> = {
  ADT: (message, event, context) => {
    if (!ADT_EVENTS.has(event))
      throw new MappingError('unsupported', ERROR_CODES.unsupportedEventCode, `ADT^${event} is not supported`, { ...MSH9, component: 2 });
    return event === 'A40' ? mapA40(message, context) : mapAdt(message, event, context);
  },
  ORM: (message, event, context) => {
    if (event !== 'O01')
      throw new MappingError('unsupported', ERROR_CODES.unsupportedEventCode, `ORM^${event} is not supported`, { ...MSH9, component: 2 });
    return mapOrders(message, context);
  },
  OML: (message, event, context) => {
    if (event !== 'O21')
      throw new MappingError('unsupported', ERROR_CODES.unsupportedEventCode, `OML^${event} is not supported`, { ...MSH9, component: 2 });
    return mapOrders(message, context);
  },
  ORU: (message, event, context) => {
    if (event !== 'R01')
      throw new MappingError('unsupported', ERROR_CODES.unsupportedEventCode, `ORU^${event} is not supported`, { ...MSH9, component: 2 });
    return mapResults(message, context);
  },
};

export type MappingResult = { ok: true; type: string; event: string; entries: TransactionEntry[] } | { ok: false; error: MappingError };

/** The transaction entries for `message`, or why it cannot be mapped (a bug, not a MappingError, still throws). */
export function mapMessage(message: Hl7Message, context: MappingContext): MappingResult {
  try {
    const { type, event } = messageType(message);
    const structure = STRUCTURES[type];
    if (!structure)
      throw new MappingError('unsupported', ERROR_CODES.unsupportedMessageType, `Message type ${type} is not supported`, {
        ...MSH9,
        component: 1,
      });
    return { ok: true, type, event, entries: structure(message, event, context) };
  } catch (err) {
    if (err instanceof MappingError) return { ok: false, error: err };
    throw err;
  }
}
