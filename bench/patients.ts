/**
 * Deterministic "typical" Patient resources for the benchmarks: an MRN identifier, a name with two given names,
 * a phone and an e-mail, gender, birth date, a postal address and a marital status, with varied realistic values
 * drawn from a seeded PRNG so every run sends the same data.
 */
import type { Patient } from '@medplum/fhirtypes';

/** mulberry32: a small, fast, seedable PRNG; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAMILY = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  "O'Brien",
  'Nguyen',
  'Kowalski',
  'Müller',
  'Dubois',
  'Rossi',
  'Okafor',
  'Tanaka',
  'Ivanova',
  'Van der Berg',
];
const GIVEN_MALE = [
  'James',
  'John',
  'Robert',
  'Michael',
  'William',
  'David',
  'Richard',
  'Joseph',
  'Thomas',
  'Charles',
  'Daniel',
  'Matthew',
  'Anthony',
  'Mark',
  'Paul',
  'Steven',
  'Andrew',
  'Kenji',
  'Luca',
  'Mohammed',
  'José',
  'Pierre',
  'Chidi',
  'Jan',
];
const GIVEN_FEMALE = [
  'Mary',
  'Patricia',
  'Jennifer',
  'Linda',
  'Elizabeth',
  'Barbara',
  'Susan',
  'Jessica',
  'Sarah',
  'Karen',
  'Lisa',
  'Nancy',
  'Betty',
  'Margaret',
  'Sandra',
  'Ashley',
  'Emily',
  'Yuki',
  'Giulia',
  'Fatima',
  'María',
  'Amélie',
  'Ngozi',
  'Anna',
];
const STREETS = [
  'Main St',
  'Oak Ave',
  'Maple Dr',
  'Cedar Ln',
  'Elm St',
  'Pine Rd',
  'Washington Blvd',
  'Lake View Ct',
  'Hillcrest Way',
  'Park Pl',
  'River Rd',
  'Sunset Blvd',
  'Church St',
  'Mill Ln',
  'Highland Ave',
];
const CITIES: [string, string, string][] = [
  ['Springfield', 'IL', '627'],
  ['Madison', 'WI', '537'],
  ['Portland', 'OR', '972'],
  ['Austin', 'TX', '787'],
  ['Boston', 'MA', '021'],
  ['Denver', 'CO', '802'],
  ['Columbus', 'OH', '432'],
  ['Raleigh', 'NC', '276'],
  ['Phoenix', 'AZ', '850'],
  ['Seattle', 'WA', '981'],
  ['Nashville', 'TN', '372'],
  ['Albany', 'NY', '122'],
];
const MARITAL: [string, string][] = [
  ['M', 'Married'],
  ['S', 'Never Married'],
  ['D', 'Divorced'],
  ['W', 'Widowed'],
  ['L', 'Legally Separated'],
  ['T', 'Domestic partner'],
  ['U', 'unmarried'],
];

export const MRN_SYSTEM = 'http://hospital.example.org/fhir/mrn';

export interface PatientGenerator {
  /** A new Patient (no id) with the next MRN. */
  next(): Patient;
  /** A copy of `patient` with a changed phone number and address line, as an update would send it. */
  change(patient: Patient): Patient;
}

export function patientGenerator(seed = 20240601): PatientGenerator {
  const rnd = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const phone = () => `+1 ${int(201, 989)}-555-${pad(int(0, 9999), 4)}`;
  const line = () => `${int(1, 9999)} ${pick(STREETS)}`;
  let mrn = int(100000, 400000);

  return {
    next(): Patient {
      const female = rnd() < 0.5;
      const given = female ? GIVEN_FEMALE : GIVEN_MALE;
      const family = pick(FAMILY);
      const first = pick(given);
      const middle = pick(given);
      const [city, state, zip] = pick(CITIES);
      const [maritalCode, maritalDisplay] = pick(MARITAL);
      const year = int(1930, 2022);
      const birthDate = `${year}-${pad(int(1, 12), 2)}-${pad(int(1, 28), 2)}`;
      mrn += int(1, 17);
      return {
        resourceType: 'Patient',
        identifier: [
          {
            use: 'usual',
            type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical record number' }] },
            system: MRN_SYSTEM,
            value: `MRN${pad(mrn, 8)}`,
          },
        ],
        active: true,
        name: [{ use: 'official', family, given: [first, middle] }],
        telecom: [
          { system: 'phone', value: phone(), use: rnd() < 0.6 ? 'mobile' : 'home' },
          { system: 'email', value: `${first}.${family}${int(1, 99)}@example.org`.toLowerCase().replace(/[^a-z0-9.@]/g, ''), use: 'home' },
        ],
        gender: female ? 'female' : 'male',
        birthDate,
        address: [{ use: 'home', type: 'both', line: [line()], city, state, postalCode: `${zip}${pad(int(0, 99), 2)}`, country: 'US' }],
        maritalStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: maritalCode, display: maritalDisplay }],
          text: maritalDisplay,
        },
      };
    },

    change(patient: Patient): Patient {
      const telecom = (patient.telecom ?? []).map((t, i) => (i === 0 ? { ...t, value: phone() } : t));
      const address = (patient.address ?? []).map((a, i) => (i === 0 ? { ...a, line: [line()] } : a));
      const { meta: _meta, ...rest } = patient;
      return { ...rest, telecom, address };
    },
  };
}
