/**
 * The fixed query mix of the search benchmark. Each query is a template filled from clinical records
 * (clinical-data.ts) of the first part of the dataset, so the same queries run on the small and the full
 * dataset: `variants` URLs per query (different patients, codes, dates), cycled by the load loops.
 *
 * `selective`: the number of matches does not grow with the dataset (one patient, one identifier, one visit,
 * a fixed time window of writes); the issue's target (p95 < 30 ms) is for these. The others are broad by
 * nature (a common code, a count of every Observation, a cohort) and show what a large result costs.
 */
import { normalizeString } from '../server/search-index/normalize-string.ts';
import { clinicalRecord, LOINC, MRN_SYSTEM, mrnOf, ORDER_SYSTEM, SNOMED, visitNumberOf, type ClinicalRecord } from './clinical-data.ts';

export interface SearchQuery {
  name: string;
  /** What it exercises, for the report. */
  description: string;
  selective: boolean;
  /** Paths under the server origin (`/fhir/...`), one per variant. */
  paths: string[];
  /** Follow `next` links up to this many pages (the whole walk is one operation). */
  pages?: number;
}

export interface QueryData {
  seed: number;
  /** Server ids of the Patients of records 0..patientIds.length-1. */
  patientIds: string[];
  /** `meta.lastUpdated` instants sampled during the load (search-load.ts). */
  sampleLastUpdated: string[];
}

const enc = encodeURIComponent;
const year = (iso: string) => Number(iso.slice(0, 4));

/** The query mix with `variants` URLs each, from records spread over `data.patientIds`. */
export function searchQueries(data: QueryData, variants = 64): SearchQuery[] {
  const n = data.patientIds.length;
  const targets: { record: ClinicalRecord; id: string }[] = [];
  for (let k = 0; k < variants; k++) {
    const index = Math.floor(((k + 0.5) * n) / variants);
    targets.push({ record: clinicalRecord(data.seed, index), id: data.patientIds[index] });
  }
  const each = (f: (t: { record: ClinicalRecord; id: string }, k: number) => string) => targets.map((t, k) => `/fhir/${f(t, k)}`);
  const name = (r: ClinicalRecord) => r.patient.name![0];
  const observations = (r: ClinicalRecord) => r.clinical.map((c) => c.resource).filter((x) => x.resourceType === 'Observation');
  const firstObservation = (r: ClinicalRecord) => observations(r)[0];
  const loinc = (r: ClinicalRecord) => firstObservation(r).code.coding![0].code!;
  const samples = data.sampleLastUpdated;
  const window = (k: number) => {
    const from = samples[Math.floor(((k + 0.5) * samples.length) / variants)];
    return [from, new Date(Date.parse(from) + 250).toISOString()];
  };

  return [
    {
      name: 'patient-family-given',
      description: 'Patient?family=&given= as written (accents included)',
      selective: true,
      paths: each(({ record }) => `Patient?family=${enc(name(record).family!)}&given=${enc(name(record).given![0])}`),
    },
    {
      name: 'patient-name-accent-insensitive',
      description: 'Patient?name=zoe&name=muller: plain ASCII finds Zoë Müller (search.html#string)',
      selective: true,
      paths: each(
        ({ record }) => `Patient?name=${enc(normalizeString(name(record).given![0]))}&name=${enc(normalizeString(name(record).family!))}`,
      ),
    },
    {
      name: 'patient-identifier',
      description: 'Patient?identifier=system|value (MRN)',
      selective: true,
      paths: each(({ record }) => `Patient?identifier=${enc(`${MRN_SYSTEM}|${mrnOf(record.index)}`)}`),
    },
    {
      name: 'observation-patient-code-date-sorted',
      description: 'Observation?subject=&code=loinc|&date=ge&date=lt&_sort=-date',
      selective: true,
      paths: each(({ record, id }) => {
        const y = year(firstObservation(record).effectiveDateTime!);
        return `Observation?subject=Patient/${id}&code=${enc(`${LOINC}|${loinc(record)}`)}&date=ge${y - 2}-01-01&date=lt${y + 2}-01-01&_sort=-date`;
      }),
    },
    {
      name: 'observation-include-subject',
      description: 'Observation?patient=&category=vital-signs&_include=Observation:subject',
      selective: true,
      paths: each(({ id }) => `Observation?patient=${id}&category=vital-signs&_include=Observation:subject`),
    },
    {
      name: 'medicationrequest-include-patient',
      description: 'MedicationRequest?patient=&_include=MedicationRequest:patient',
      selective: true,
      paths: each(({ id }) => `MedicationRequest?patient=${id}&_include=MedicationRequest:patient`),
    },
    {
      name: 'chain-subject-identifier',
      description: 'Observation?subject:Patient.identifier=system|MRN&code=loinc| (inner Patient search, then Observations)',
      selective: true,
      paths: each(
        ({ record }) =>
          `Observation?subject:Patient.identifier=${enc(`${MRN_SYSTEM}|${mrnOf(record.index)}`)}&code=${enc(`${LOINC}|${loinc(record)}`)}`,
      ),
    },
    {
      name: 'has-encounter-visit-number',
      description: 'Patient?_has:Encounter:subject:identifier=visit number (the patient of a visit)',
      selective: true,
      paths: each(({ record }) => `Patient?_has:Encounter:subject:identifier=${enc(visitNumberOf(record.index, 0))}`),
    },
    {
      name: 'encounter-patient-date-sorted',
      description: 'Encounter?patient=&date=ge2018-01-01&_sort=-date',
      selective: true,
      paths: each(({ id }) => `Encounter?patient=${id}&date=ge2018-01-01&_sort=-date`),
    },
    {
      name: 'encounter-date-day',
      description: 'Encounter?date=yyyy-mm-dd (every encounter within one day; a few per day)',
      selective: true,
      paths: each(({ record }) => `Encounter?date=${record.encounters[0].period!.start!.slice(0, 10)}`),
    },
    {
      name: 'medicationrequest-status-patient',
      description: 'MedicationRequest?status=active&patient= (a common status AND one patient)',
      selective: true,
      paths: each(({ id }) => `MedicationRequest?status=active&patient=${id}`),
    },
    {
      name: 'medicationrequest-identifier',
      description: 'MedicationRequest?identifier=order system|number',
      selective: true,
      paths: each(({ record }) => `MedicationRequest?identifier=${enc(`${ORDER_SYSTEM}|RX${record.index}-0`)}`),
    },
    {
      name: 'condition-not-resolved-patient',
      description: 'Condition?patient=&clinical-status:not=resolved (token :not)',
      selective: true,
      paths: each(({ id }) => `Condition?patient=${id}&clinical-status:not=resolved`),
    },
    {
      name: 'compartment-patient-observation',
      description: 'Patient/[id]/Observation (R4 Patient compartment: subject or performer)',
      selective: true,
      paths: each(({ id }) => `Patient/${id}/Observation`),
    },
    {
      name: 'lastupdated-window',
      description: 'Observation?_lastUpdated=ge&_lastUpdated=lt (a 250 ms window of the load)',
      selective: true,
      paths: each((_, k) => `Observation?_lastUpdated=ge${enc(window(k)[0])}&_lastUpdated=lt${enc(window(k)[1])}`),
    },
    {
      name: 'condition-code',
      description: 'Condition?code=snomed| (first page of a code that grows with the data)',
      selective: false,
      paths: each((_, k) => `Condition?code=${enc(`${SNOMED}|${['44054006', '195967001', '49436004', '230690007'][k % 4]}`)}`),
    },
    {
      name: 'cohort-has-condition',
      description: 'Patient?_has:Condition:subject:code=snomed|stroke&gender=female (a cohort)',
      selective: false,
      paths: each(() => `Patient?_has:Condition:subject:code=${enc(`${SNOMED}|230690007`)}&gender=female`),
    },
    {
      name: 'observation-code-paging',
      description: 'Observation?code=loinc|8867-4&_count=50, following next links to page 10',
      selective: false,
      pages: 10,
      paths: each((_, k) => `Observation?code=${enc(`${LOINC}|${['8867-4', '85354-9', '8310-5', '2345-7'][k % 4]}`)}&_count=50`),
    },
    {
      name: 'observation-total-accurate',
      description: 'Observation?_total=accurate&_count=10 (counts every Observation)',
      selective: false,
      paths: each(() => `Observation?_total=accurate&_count=10`),
    },
  ];
}
