/**
 * Location `near=[latitude]|[longitude]|[distance]|[units]` (https://hl7.org/fhir/R4/location.html#positional,
 * search.html#special) over the `near` tuple of server/search-index/extract-near.ts. "If the units are omitted,
 * then kms should be assumed. If the distance is omitted, then the server can use its own discretion": 10 km.
 * As HAPI FHIR does, the distance is a bounding box around the point (a square of side 2 x distance, with
 * longitude degrees narrowed by the latitude), not a circle: a location in a corner of the box may lie up to
 * 1.41 x distance away. A box that crosses the antimeridian wraps around.
 */
import { badRequest, notSupported } from '../errors/fhir-error.ts';
import type { Filter } from '../store/port.ts';
import { parseNumber } from './compile-number.ts';
import { anyOf, splitParts, splitValues } from './split-values.ts';

const DEFAULT_KM = 10;
/** Kilometres per unit; `km` by default (UCUM codes and their common spellings). */
const UNIT_KM: Record<string, number> = { km: 1, m: 0.001, '[mi_i]': 1.609344, mi: 1.609344 };
const KM_PER_DEGREE = 111.32;

export function compileNear(code: string, modifier: string | undefined, value: string): Filter {
  if (modifier !== undefined) throw notSupported(`Modifier ':${modifier}' is not supported on '${code}'`, code);
  return anyOf(splitValues(value).map((v) => nearCondition(code, v)));
}

function nearCondition(code: string, v: string): Filter {
  const parts = splitParts(v);
  if (parts.length < 2 || parts.length > 4) throw badRequest(`'${code}' takes latitude|longitude|distance|units, got '${v}'`, code);
  const [latText, longText, distanceText = '', units = 'km'] = parts;
  const lat = parseNumber(code, latText).value;
  const long = parseNumber(code, longText).value;
  if (Math.abs(lat) > 90 || Math.abs(long) > 180) throw badRequest(`'${v}' is not a latitude|longitude for '${code}'`, code);
  const perUnit = UNIT_KM[units === '' ? 'km' : units];
  if (perUnit === undefined) throw badRequest(`Unknown distance unit '${units}' for '${code}' (km, m, [mi_i])`, code);
  const km = distanceText === '' ? DEFAULT_KM : parseNumber(code, distanceText).value * perUnit;
  if (!(km >= 0)) throw badRequest(`The distance of '${code}' must not be negative`, code);
  const dLat = km / KM_PER_DEGREE;
  const cos = Math.cos((lat * Math.PI) / 180);
  const dLong = cos < 1e-9 ? 180 : Math.min(180, km / (KM_PER_DEGREE * cos));
  const latitude = { num: { $elemMatch: { p: 'latitude', lo: { $gte: lat - dLat, $lte: lat + dLat } } } };
  const longitude = longitudeRanges(long - dLong, long + dLong).map((range) => ({ num: { $elemMatch: { p: 'longitude', lo: range } } }));
  return { cmp: { $elemMatch: { p: code, $and: [latitude, anyOf(longitude)] } } };
}

/** One range, or two when the box crosses the antimeridian (±180°). */
function longitudeRanges(lo: number, hi: number): { $gte: number; $lte: number }[] {
  if (hi - lo >= 360) return [{ $gte: -180, $lte: 180 }];
  if (lo < -180)
    return [
      { $gte: lo + 360, $lte: 180 },
      { $gte: -180, $lte: hi },
    ];
  if (hi > 180)
    return [
      { $gte: lo, $lte: 180 },
      { $gte: -180, $lte: hi - 360 },
    ];
  return [{ $gte: lo, $lte: hi }];
}
