/**
 * A FHIR date, dateTime or instant as the range of instants it covers, by its precision
 * (https://hl7.org/fhir/R4/search.html#date: "the date parameter format is yyyy-mm-ddThh:mm:ss[Z|(+|-)hh:mm]
 * ... the value is treated as an implicit range"). Values without a time zone are read as UTC.
 */
export interface DateRange {
  lo: string;
  hi: string;
}

const PATTERN = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

export function dateRange(value: string): DateRange | undefined {
  const m = PATTERN.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const offsetMinutes = tz && tz !== 'Z' ? (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) : 0;
  const year = Number(y);
  const month = mo ? Number(mo) - 1 : 0;
  const day = d ? Number(d) : 1;
  if (month > 11 || day < 1 || day > new Date(Date.UTC(2000, month + 1, 0)).getUTCDate()) return undefined;
  if ((h && Number(h) > 23) || (mi && Number(mi) > 59) || (s && Number(s) > 59)) return undefined;
  if (month === 1 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return undefined;
  const start = Date.UTC(
    year,
    month,
    day,
    h ? Number(h) : 0,
    mi ? Number(mi) : 0,
    s ? Number(s) : 0,
    frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0,
  );
  let end: number;
  if (!mo) end = Date.UTC(year + 1, 0, 1);
  else if (!d) end = Date.UTC(year, month + 1, 1);
  else if (!h) end = Date.UTC(year, month, day + 1);
  else if (!s) end = start + 60_000;
  else if (!frac) end = start + 1000;
  else end = start + Math.max(1, 10 ** (3 - Math.min(frac.length, 3)));
  const shift = offsetMinutes * 60_000;
  if (Number.isNaN(start)) return undefined;
  return { lo: new Date(start - shift).toISOString(), hi: new Date(end - shift - 1).toISOString() };
}
