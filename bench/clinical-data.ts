/**
 * Deterministic clinical records for the search benchmark: a Patient with its Encounters, and per encounter
 * Observations (vital signs and labs), Conditions and MedicationRequests that refer to the patient and the
 * encounter. Record `i` depends only on the seed and `i`, so the first quarter of a dataset is the same
 * whether 25,000 or 100,000 resources are generated, and queries can be built from the records alone.
 *
 * Value distributions, chosen to look like a hospital's data rather than uniform noise:
 * - names from a mixed list with accents (Zoë, Müller, Núñez, Dvořák), two given names;
 * - an MRN identifier with a system; encounters carry a visit number, prescriptions an order number;
 * - LOINC codes Zipf-distributed (heart rate and blood pressure are everywhere, HbA1c is rare), SNOMED problem
 *   codes and RxNorm drugs likewise skewed;
 * - encounters per patient exponential (mean ~3, a long tail of frequent visitors), 1-8 observations per
 *   encounter; dates spread over 2015-2025; most prescriptions completed, some active, a few stopped.
 */
import type { Condition, Encounter, MedicationRequest, Observation, Patient } from '@medplum/fhirtypes';
import { MRN_SYSTEM, seededRandom } from './patients.ts';

export { MRN_SYSTEM };
export const VISIT_SYSTEM = 'http://hospital.example.org/fhir/visit-number';
export const ORDER_SYSTEM = 'http://hospital.example.org/fhir/order-number';
export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

const FAMILY = [
  'Smith',
  'Johnson',
  'Müller',
  'García',
  'Núñez',
  'Brown',
  'Dvořák',
  'Nguyen',
  'Øster',
  'Öztürk',
  'Lefèvre',
  "O'Brien",
  'Kowalski',
  'Rossi',
  'Tanaka',
  'Okafor',
  'Ivanova',
  'Brontë',
  'Jones',
  'Martin',
  'Wilson',
  'Ångström',
  'Dubois',
  'Schäfer',
  'Hernández',
  'Lee',
  'Taylor',
  'Moore',
  'Clark',
  'Van der Berg',
];
const GIVEN_FEMALE = [
  'Zoë',
  'Chloé',
  'Renée',
  'María',
  'Amélie',
  'Siân',
  'Anna',
  'Mary',
  'Emily',
  'Sarah',
  'Yuki',
  'Ngozi',
  'Fatima',
  'Giulia',
  'Linda',
  'Léa',
  'Inès',
  'Björk',
];
const GIVEN_MALE = [
  'José',
  'François',
  'Björn',
  'Søren',
  'Jürgen',
  'Noël',
  'James',
  'John',
  'David',
  'Kenji',
  'Luca',
  'Chidi',
  'Mohammed',
  'Paul',
  'Jan',
  'Mark',
  'Ömer',
  'André',
];

/** [code, display, unit (UCUM), typical value, spread, category]; in order of frequency (Zipf). */
const OBSERVATION_CODES: [string, string, string, number, number, 'vital-signs' | 'laboratory'][] = [
  ['8867-4', 'Heart rate', '/min', 78, 15, 'vital-signs'],
  ['85354-9', 'Blood pressure panel', 'mm[Hg]', 125, 15, 'vital-signs'],
  ['8310-5', 'Body temperature', 'Cel', 36.9, 0.6, 'vital-signs'],
  ['9279-1', 'Respiratory rate', '/min', 16, 3, 'vital-signs'],
  ['59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry', '%', 97, 2, 'vital-signs'],
  ['29463-7', 'Body weight', 'kg', 76, 16, 'vital-signs'],
  ['8302-2', 'Body height', 'cm', 170, 10, 'vital-signs'],
  ['2345-7', 'Glucose [Mass/volume] in Serum or Plasma', 'mg/dL', 105, 25, 'laboratory'],
  ['2160-0', 'Creatinine [Mass/volume] in Serum or Plasma', 'mg/dL', 1.0, 0.3, 'laboratory'],
  ['718-7', 'Hemoglobin [Mass/volume] in Blood', 'g/dL', 13.8, 1.5, 'laboratory'],
  ['6690-2', 'Leukocytes [#/volume] in Blood by Automated count', '10*3/uL', 7.5, 2, 'laboratory'],
  ['2823-3', 'Potassium [Moles/volume] in Serum or Plasma', 'mmol/L', 4.2, 0.4, 'laboratory'],
  ['2951-2', 'Sodium [Moles/volume] in Serum or Plasma', 'mmol/L', 140, 3, 'laboratory'],
  ['777-3', 'Platelets [#/volume] in Blood by Automated count', '10*3/uL', 250, 60, 'laboratory'],
  ['2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma', 'mg/dL', 190, 35, 'laboratory'],
  ['2571-8', 'Triglyceride [Mass/volume] in Serum or Plasma', 'mg/dL', 140, 50, 'laboratory'],
  ['1742-6', 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma', 'U/L', 28, 12, 'laboratory'],
  ['4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', '%', 6.1, 1.1, 'laboratory'],
  ['33914-3', 'Glomerular filtration rate/1.73 sq M.predicted', 'mL/min/{1.73_m2}', 85, 20, 'laboratory'],
  ['14647-2', 'Cholesterol [Moles/volume] in Serum or Plasma', 'mmol/L', 4.9, 0.9, 'laboratory'],
];

const CONDITION_CODES: [string, string][] = [
  ['38341003', 'Hypertensive disorder'],
  ['44054006', 'Diabetes mellitus type 2'],
  ['55822004', 'Hyperlipidemia'],
  ['195967001', 'Asthma'],
  ['35489007', 'Depressive disorder'],
  ['13645005', 'Chronic obstructive lung disease'],
  ['49436004', 'Atrial fibrillation'],
  ['40055000', 'Chronic sinusitis'],
  ['233604007', 'Pneumonia'],
  ['431855005', 'Chronic kidney disease stage 1'],
  ['22298006', 'Myocardial infarction'],
  ['230690007', 'Cerebrovascular accident'],
];

const MEDICATIONS: [string, string][] = [
  ['314076', 'lisinopril 10 MG Oral Tablet'],
  ['860975', 'metformin hydrochloride 500 MG Oral Tablet'],
  ['617312', 'atorvastatin 20 MG Oral Tablet'],
  ['197361', 'amlodipine 5 MG Oral Tablet'],
  ['308136', 'amoxicillin 500 MG Oral Capsule'],
  ['245314', 'albuterol 0.09 MG/ACTUAT Inhalant Solution'],
  ['312961', 'simvastatin 20 MG Oral Tablet'],
  ['855332', 'warfarin sodium 5 MG Oral Tablet'],
  ['310798', 'hydrochlorothiazide 25 MG Oral Tablet'],
  ['198211', 'simvastatin 40 MG Oral Tablet'],
];

const ENCOUNTER_CLASSES: [string, string, number][] = [
  ['AMB', 'ambulatory', 0.78],
  ['EMER', 'emergency', 0.12],
  ['IMP', 'inpatient encounter', 0.1],
];

/** Cumulative Zipf weights (exponent 1.1) over `n` ranks. */
function zipf(n: number): number[] {
  const w = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** 1.1);
  const sum = w.reduce((a, b) => a + b, 0);
  let acc = 0;
  return w.map((x) => (acc += x / sum));
}
const OBSERVATION_CDF = zipf(OBSERVATION_CODES.length);
const CONDITION_CDF = zipf(CONDITION_CODES.length);
const MEDICATION_CDF = zipf(MEDICATIONS.length);

/** Share of all Observations carrying each LOINC code (the Zipf weights), by code. */
export const OBSERVATION_CODE_SHARE: Record<string, number> = Object.fromEntries(
  OBSERVATION_CODES.map(([code], i) => [code, OBSERVATION_CDF[i] - (i > 0 ? OBSERVATION_CDF[i - 1] : 0)]),
);

/** A resource before `link` gives it its subject. */
export type Unlinked<T extends Observation | Condition | MedicationRequest> = Omit<T, 'subject'>;

/** One patient's resources; references are filled in by `link` once the server has assigned ids. */
export interface ClinicalRecord {
  index: number;
  patient: Patient;
  encounters: Encounter[];
  /** Observations, Conditions, MedicationRequests with `encounter` = the index into `encounters`. */
  clinical: { encounter: number; resource: Unlinked<Observation> | Unlinked<Condition> | Unlinked<MedicationRequest> }[];
}

export function mrnOf(index: number): string {
  return `MRN${String(1_000_000 + index * 7).padStart(8, '0')}`;
}
export function visitNumberOf(index: number, encounter: number): string {
  return `V${index}-${encounter}`;
}
export function orderNumberOf(index: number, order: number): string {
  return `RX${index}-${order}`;
}

const DAY_MS = 86_400_000;
const START_MS = Date.UTC(2015, 0, 1);
const SPAN_DAYS = 11 * 365;

/** The record of patient `index` under `seed`. */
export function clinicalRecord(seed: number, index: number): ClinicalRecord {
  const rnd = seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  const skewed = <T>(list: readonly T[], cdf: number[]): T => {
    const u = rnd();
    const i = cdf.findIndex((c) => u < c);
    return list[i < 0 ? list.length - 1 : i];
  };
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const round = (x: number, step: number) => Math.round(x / step) * step;

  const female = rnd() < 0.52;
  const given = female ? GIVEN_FEMALE : GIVEN_MALE;
  const birthYear = int(1930, 2020);
  const patient: Patient = {
    resourceType: 'Patient',
    identifier: [
      {
        use: 'usual',
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] },
        system: MRN_SYSTEM,
        value: mrnOf(index),
      },
    ],
    active: true,
    name: [{ use: 'official', family: pick(FAMILY), given: [pick(given), pick(given)] }],
    telecom: [{ system: 'phone', value: `+1 ${int(201, 989)}-555-${pad(int(0, 9999), 4)}`, use: 'mobile' }],
    gender: female ? 'female' : 'male',
    birthDate: `${birthYear}-${pad(int(1, 12))}-${pad(int(1, 28))}`,
    address: [
      {
        use: 'home',
        line: [`${int(1, 9999)} Main St`],
        city: pick(['Springfield', 'Madison', 'Portland', 'Austin', 'Boston']),
        country: 'US',
      },
    ],
  };

  const encounterCount = 1 + Math.floor(-Math.log(1 - rnd()) * 2);
  const encounters: Encounter[] = [];
  const clinical: ClinicalRecord['clinical'] = [];
  let orders = 0;
  for (let e = 0; e < encounterCount; e++) {
    const startMs = START_MS + Math.floor(rnd() * SPAN_DAYS) * DAY_MS + int(7, 19) * 3_600_000 + int(0, 59) * 60_000;
    const u = rnd();
    const [klass, klassDisplay] = ENCOUNTER_CLASSES[u < 0.78 ? 0 : u < 0.9 ? 1 : 2];
    const endMs = startMs + (klass === 'IMP' ? int(1, 9) * DAY_MS : int(15, 180) * 60_000);
    const start = new Date(startMs).toISOString().replace('.000Z', 'Z');
    encounters.push({
      resourceType: 'Encounter',
      identifier: [{ system: VISIT_SYSTEM, value: visitNumberOf(index, e) }],
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: klass, display: klassDisplay },
      type: [
        {
          coding: [
            {
              system: SNOMED,
              code: klass === 'AMB' ? '185349003' : '50849002',
              display: klass === 'AMB' ? 'Encounter for check up' : 'Emergency room admission',
            },
          ],
        },
      ],
      period: { start, end: new Date(endMs).toISOString().replace('.000Z', 'Z') },
    });
    const observationCount = int(1, 8);
    for (let o = 0; o < observationCount; o++) {
      const [code, display, unit, mean, spread, category] = skewed(OBSERVATION_CODES, OBSERVATION_CDF);
      const value = round(mean + (rnd() + rnd() + rnd() - 1.5) * spread, mean < 10 ? 0.1 : 1);
      clinical.push({
        encounter: e,
        resource: {
          resourceType: 'Observation',
          status: 'final',
          category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: category }] }],
          code: { coding: [{ system: LOINC, code, display }], text: display },
          effectiveDateTime: new Date(startMs + o * 300_000).toISOString().replace('.000Z', 'Z'),
          valueQuantity: { value: Number(value.toFixed(1)), unit, system: 'http://unitsofmeasure.org', code: unit },
        },
      });
    }
    if (rnd() < 0.5) {
      const [code, display] = skewed(CONDITION_CODES, CONDITION_CDF);
      const onset = new Date(startMs).toISOString().slice(0, 10);
      clinical.push({
        encounter: e,
        resource: {
          resourceType: 'Condition',
          clinicalStatus: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: rnd() < 0.7 ? 'active' : 'resolved' }],
          },
          verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
          category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
          code: { coding: [{ system: SNOMED, code, display }], text: display },
          onsetDateTime: onset,
          recordedDate: onset,
        },
      });
    }
    const prescriptions = rnd() < 0.55 ? int(1, 2) : 0;
    for (let m = 0; m < prescriptions; m++) {
      const [code, display] = skewed(MEDICATIONS, MEDICATION_CDF);
      const s = rnd();
      clinical.push({
        encounter: e,
        resource: {
          resourceType: 'MedicationRequest',
          identifier: [{ system: ORDER_SYSTEM, value: orderNumberOf(index, orders++) }],
          status: s < 0.7 ? 'completed' : s < 0.92 ? 'active' : 'stopped',
          intent: 'order',
          medicationCodeableConcept: { coding: [{ system: RXNORM, code, display }], text: display },
          authoredOn: new Date(startMs + 1_800_000).toISOString().replace('.000Z', 'Z'),
          dosageInstruction: [{ text: 'Take one tablet by mouth daily' }],
        },
      });
    }
  }
  return { index, patient, encounters, clinical };
}

/** Sets the references of a record's resource once the patient and encounter ids are known. */
export function link(
  resource: Encounter | ClinicalRecord['clinical'][number]['resource'],
  patientId: string,
  encounterId?: string,
): Encounter | Observation | Condition | MedicationRequest {
  const subject = { reference: `Patient/${patientId}` };
  const encounter = encounterId ? { encounter: { reference: `Encounter/${encounterId}` } } : {};
  return { ...resource, subject, ...encounter } as Encounter | Observation | Condition | MedicationRequest;
}

/** Number of resources in a record. */
export function recordSize(record: ClinicalRecord): number {
  return 1 + record.encounters.length + record.clinical.length;
}
