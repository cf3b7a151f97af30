/** Test helper: a fixture of fixtures/hl7/ parsed by the listener's adapter, and its sender's mapping context. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MappingContext } from '../context.ts';
import type { Hl7Message } from '../../message.ts';
import { parseMessage } from '../../parse-message.ts';
import { profileFor, readSenderProfiles } from '../senders.ts';
import { firstSegment, value } from '../access.ts';

export const FIXTURES = join(import.meta.dirname, '../../../fixtures/hl7');
const profiles = readSenderProfiles(join(FIXTURES, 'senders.json'));

export function fixture(name: string): { message: Hl7Message; context: MappingContext } {
  const message = parseMessage(readFileSync(join(FIXTURES, name)));
  const msh = firstSegment(message, 'MSH');
  const application = value(msh, 3) ?? '';
  const facility = value(msh, 4) ?? '';
  return {
    message,
    context: {
      sender: { application, facility },
      profile: profileFor(profiles, application, facility),
      source: `http://fhir.test/admin/hl7/messages/${name}`,
    },
  };
}
