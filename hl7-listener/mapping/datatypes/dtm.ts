/**
 * DTM / DT / TS -> FHIR date or dateTime keeping the precision the sender gave
 * (IG DTM map, https://build.fhir.org/ig/HL7/v2-to-fhir/datatype_maps.html; R4 dateTime,
 * https://hl7.org/fhir/R4/datatypes.html#dateTime). R4 cannot say "to the hour" or "to the minute": a time
 * always has seconds and a zone, so HH and HHMM are completed with zeros. A value without an offset is local
 * time of the sender's configured time zone.
 */
import type { Location } from '../access.ts';
import { ERROR_CODES, fault } from '../errors.ts';

const DTM = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,4}))?)?)?)?)?)?([+-]\d{4})?$/;

/** Formatters per IANA zone, reused (an explicit cache: building one costs more than using it). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset', year: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of `timeZone` from UTC, in minutes, at the instant `utcMillis`, as ICU formats it. Throws RangeError for unknown zones. */
function formattedOffset(timeZone: string, utcMillis: number): number {
  const name =
    formatter(timeZone)
      .formatToParts(new Date(utcMillis))
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

const HOUR_MS = 3_600_000;
const MAX_CACHED_HOURS = 50_000;

/**
 * Offset per zone and UTC hour, NaN for an hour in which it changes (an explicit cache: formatting costs
 * microseconds and every DTM without an offset needs two). An hour whose first and last millisecond have the
 * same offset has it throughout: no zone changes its offset twice within an hour.
 */
const hourOffsets = new Map<string, Map<number, number>>();

/** Offset of `timeZone` from UTC, in minutes, at the instant `utcMillis`. Throws RangeError for unknown zones. */
export function zoneOffsetMinutes(timeZone: string, utcMillis: number): number {
  const hour = Math.floor(utcMillis / HOUR_MS);
  let offset = hourOffsets.get(timeZone)?.get(hour);
  if (offset === undefined) {
    const first = formattedOffset(timeZone, hour * HOUR_MS);
    offset = first === formattedOffset(timeZone, hour * HOUR_MS + HOUR_MS - 1) ? first : NaN;
    let hours = hourOffsets.get(timeZone);
    if (!hours || hours.size >= MAX_CACHED_HOURS) hourOffsets.set(timeZone, (hours = new Map()));
    hours.set(hour, offset);
  }
  return Number.isNaN(offset) ? formattedOffset(timeZone, utcMillis) : offset;
}

/** Offset of local wall-clock time `localMillis` (as if UTC) in `timeZone`; a time in a DST gap takes the later offset. */
function localOffset(timeZone: string, localMillis: number): number {
  const first = zoneOffsetMinutes(timeZone, localMillis);
  return zoneOffsetMinutes(timeZone, localMillis - first * 60_000);
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * `20240305143000.1234-0500` -> `2024-03-05T14:30:00.1234-05:00`; `202403` -> `2024-03`. Undefined for an
 * absent value; a malformed one is a data type error (table 0357 code 102) at `location`.
 */
export function dtmToDateTime(value: string | undefined, timeZone: string, location: Location): string | undefined {
  if (value === undefined) return undefined;
  const m = DTM.exec(value.trim());
  const bad = () => fault(ERROR_CODES.dataTypeError, `'${value}' is not a valid HL7 date/time (DTM)`, location);
  if (!m) throw bad();
  const [, y, mo, d, h, mi, s, frac, offset] = m;
  if (mo !== undefined && (Number(mo) < 1 || Number(mo) > 12)) throw bad();
  if (d !== undefined && (Number(d) < 1 || Number(d) > daysIn(Number(y), Number(mo)))) throw bad();
  if (h !== undefined && (Number(h) > 23 || Number(mi ?? 0) > 59 || Number(s ?? 0) > 59)) throw bad();
  if (mo === undefined) return y;
  if (d === undefined) return `${y}-${mo}`;
  if (h === undefined) return `${y}-${mo}-${d}`;
  const time = `${h}:${mi ?? '00'}:${s ?? '00'}${frac !== undefined ? `.${frac}` : ''}`;
  let zone: string;
  if (offset !== undefined) {
    const minutes = Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5));
    if (Number(offset.slice(3, 5)) > 59 || minutes > 14 * 60) throw bad();
    zone = formatOffset(offset[0] === '-' ? -minutes : minutes);
  } else {
    const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi ?? 0), Number(s ?? 0));
    zone = formatOffset(localOffset(timeZone, local));
  }
  return `${y}-${mo}-${d}T${time}${zone}`;
}

/** DT (date only) -> FHIR date; a DTM given where a date is expected keeps its date part. */
export function dtToDate(value: string | undefined, location: Location): string | undefined {
  if (value === undefined) return undefined;
  const date = dtmToDateTime(value.replace(/[+-]\d{4}$/, '').slice(0, 8), 'UTC', location);
  return date;
}

/** A dateTime with a time is also a valid R4 instant (seconds and zone present); a partial date is not. */
export function asInstant(dateTime: string | undefined): string | undefined {
  return dateTime !== undefined && dateTime.includes('T') ? dateTime : undefined;
}
