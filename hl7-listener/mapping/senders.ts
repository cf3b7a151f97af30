/**
 * Per-sender mapping configuration (README.md, "Configuration"): a JSON file named by `HL7_SENDERS` (default
 * none: every sender gets the `*` profile, i.e. no identifier systems, placeholder systems for every
 * assigning authority, and UTC). Keys are `APPLICATION^FACILITY`
 * (MSH-3^MSH-4 namespace ids), `^FACILITY`, `APPLICATION^` or `*`; the most specific wins. Checked when loaded
 * so that a bad file stops the listener at start rather than mis-mapping messages.
 */
import { readFileSync } from 'node:fs';
import type { SenderProfile } from './context.ts';
import { zoneOffsetMinutes } from './datatypes/dtm.ts';

export type SenderProfiles = Map<string, SenderProfile>;

const DEFAULT_PROFILE: SenderProfile = { identifierSystems: {}, timeZone: 'UTC' };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and checks the file's content; throws Error naming the bad key. */
export function parseSenderProfiles(json: string): SenderProfiles {
  const data: unknown = JSON.parse(json);
  if (!isRecord(data)) throw new Error('HL7 senders file: expected an object keyed by APPLICATION^FACILITY');
  const out: SenderProfiles = new Map();
  for (const [key, raw] of Object.entries(data)) {
    if (key.startsWith('$')) continue; // "$comment"
    if (!isRecord(raw)) throw new Error(`HL7 senders file: '${key}' is not an object`);
    const systems = raw.identifierSystems ?? {};
    if (!isRecord(systems) || Object.values(systems).some((s) => typeof s !== 'string' || !/^[a-z][a-z0-9+.-]*:\S+$/i.test(s))) {
      throw new Error(`HL7 senders file: '${key}'.identifierSystems must map assigning authorities to absolute URIs`);
    }
    const timeZone = raw.timeZone ?? 'UTC';
    if (typeof timeZone !== 'string') throw new Error(`HL7 senders file: '${key}'.timeZone must be an IANA time zone`);
    try {
      zoneOffsetMinutes(timeZone, 0);
    } catch {
      throw new Error(`HL7 senders file: '${key}'.timeZone '${timeZone}' is not an IANA time zone`);
    }
    const unknownAuthorities = raw.unknownAuthorities ?? 'accept';
    if (unknownAuthorities !== 'accept' && unknownAuthorities !== 'reject')
      throw new Error(`HL7 senders file: '${key}'.unknownAuthorities must be "accept" or "reject"`);
    out.set(key, { identifierSystems: systems as Record<string, string>, timeZone, unknownAuthorities });
  }
  return out;
}

export function readSenderProfiles(path: string | undefined): SenderProfiles {
  return path ? parseSenderProfiles(readFileSync(path, 'utf8')) : new Map();
}

/** The sender's profile; unless it says `reject`, unmapped authorities get this sender's placeholder systems. */
export function profileFor(profiles: SenderProfiles, application: string, facility: string): SenderProfile {
  const profile =
    profiles.get(`${application}^${facility}`) ??
    profiles.get(`^${facility}`) ??
    profiles.get(`${application}^`) ??
    profiles.get('*') ??
    DEFAULT_PROFILE;
  return profile.unknownAuthorities === 'reject' ? profile : { ...profile, placeholders: { application, facility } };
}
