/**
 * Code systems and the IG's vocabulary maps (https://build.fhir.org/ig/HL7/v2-to-fhir/terminology.html) used by
 * more than one mapping. Table maps hold only the codes the IG maps; an unmapped code leaves the element out
 * (or takes the documented default) rather than guessing.
 */

/** `http://terminology.hl7.org/CodeSystem/v2-0203` for table 0203. */
export function v2Table(table: string): string {
  return `http://terminology.hl7.org/CodeSystem/v2-${table}`;
}

/**
 * CWE-3 name of coding system -> FHIR system (HL7 table 0396, the IG's "Coding System" map and
 * https://terminology.hl7.org/external_terminologies.html). `HL7nnnn` is an HL7 table.
 */
const CODING_SYSTEMS: Record<string, string> = {
  LN: 'http://loinc.org',
  SCT: 'http://snomed.info/sct',
  SNM: 'http://snomed.info/sct',
  I10: 'http://hl7.org/fhir/sid/icd-10',
  'I10-CM': 'http://hl7.org/fhir/sid/icd-10-cm',
  I10C: 'http://hl7.org/fhir/sid/icd-10-cm',
  I9C: 'http://hl7.org/fhir/sid/icd-9-cm',
  UCUM: 'http://unitsofmeasure.org',
  RXNORM: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  NDC: 'http://hl7.org/fhir/sid/ndc',
  CVX: 'http://hl7.org/fhir/sid/cvx',
  CPT: 'http://www.ama-assn.org/go/cpt',
  C4: 'http://www.ama-assn.org/go/cpt',
};

export function codingSystem(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const table = /^HL7(\d{4})$/.exec(name);
  if (table) return v2Table(table[1]);
  return CODING_SYSTEMS[name.toUpperCase()];
}

/** Table 0001 administrative sex -> AdministrativeGender (IG ConceptMap table-hl70001-to-administrative-gender). */
export const ADMINISTRATIVE_SEX: Record<string, 'male' | 'female' | 'other' | 'unknown'> = {
  F: 'female',
  M: 'male',
  O: 'other',
  U: 'unknown',
  A: 'other',
  N: 'other',
};

/** Table 0119 order control -> request-status (IG table-hl70119-to-request-status), see README for CA. */
export const ORDER_CONTROL_STATUS: Record<string, 'active' | 'revoked' | 'on-hold' | 'completed' | 'entered-in-error'> = {
  AF: 'active',
  CA: 'revoked',
  CR: 'revoked',
  DC: 'revoked',
  DF: 'revoked',
  DR: 'revoked',
  FU: 'completed',
  HD: 'active',
  HR: 'on-hold',
  NW: 'active',
  OC: 'revoked',
  OD: 'revoked',
  OE: 'active',
  OF: 'completed',
  OH: 'on-hold',
  OK: 'active',
  OR: 'active',
  RL: 'active',
  RO: 'active',
  RP: 'revoked',
  RQ: 'revoked',
  RU: 'revoked',
  SC: 'active',
  XO: 'active',
  XR: 'active',
  XX: 'active',
};

/** Table 0038 order status -> request-status (IG table-hl70038-to-request-status). */
export const ORDER_STATUS: Record<string, 'active' | 'revoked' | 'on-hold' | 'completed' | 'entered-in-error'> = {
  A: 'active',
  CA: 'revoked',
  CM: 'completed',
  DC: 'revoked',
  ER: 'entered-in-error',
  HD: 'on-hold',
  IP: 'active',
  RP: 'revoked',
  SC: 'active',
};

/** Table 0123 result status -> DiagnosticReport.status (IG table-hl70123-to-diagnostic-report-status). */
export const RESULT_STATUS: Record<
  string,
  'registered' | 'partial' | 'preliminary' | 'final' | 'corrected' | 'cancelled' | 'entered-in-error'
> = {
  O: 'registered',
  I: 'registered',
  S: 'registered',
  A: 'partial',
  P: 'preliminary',
  C: 'corrected',
  R: 'partial',
  F: 'final',
  X: 'cancelled',
  Y: 'registered',
  Z: 'registered',
};

/** Table 0085 observation result status -> Observation.status (IG table-hl70085-to-observation-status). */
export const OBSERVATION_STATUS: Record<
  string,
  'registered' | 'preliminary' | 'final' | 'amended' | 'corrected' | 'cancelled' | 'entered-in-error' | 'unknown'
> = {
  C: 'corrected',
  D: 'entered-in-error',
  F: 'final',
  I: 'registered',
  N: 'unknown',
  O: 'registered',
  P: 'preliminary',
  R: 'preliminary',
  S: 'preliminary',
  U: 'final',
  W: 'entered-in-error',
  X: 'cancelled',
};

/** Table 0004 patient class -> v3 ActCode (IG table-hl70004-to-v3-actcode-encounter-class). */
export const PATIENT_CLASS: Record<string, { code: string; display: string }> = {
  E: { code: 'EMER', display: 'emergency' },
  I: { code: 'IMP', display: 'inpatient encounter' },
  O: { code: 'AMB', display: 'ambulatory' },
  P: { code: 'PRENC', display: 'pre-admission' },
  R: { code: 'IMP', display: 'inpatient encounter' },
  B: { code: 'IMP', display: 'inpatient encounter' },
};
export const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/** Table 0078 abnormal flags -> v3 ObservationInterpretation (IG table-hl70078-to-observation-interpretation). */
export const INTERPRETATION_CODES = new Set([
  'L',
  'H',
  'LL',
  'HH',
  '<',
  '>',
  'N',
  'A',
  'AA',
  'U',
  'D',
  'B',
  'W',
  'S',
  'R',
  'I',
  'MS',
  'VS',
  'NEG',
  'POS',
  'IND',
  'NR',
  'HU',
  'LU',
  'E',
  'EX',
  'HX',
  'LX',
  'ND',
  'QCF',
  'TOX',
  'CAR',
  'RR',
  'SDD',
  'SYN-R',
  'SYN-S',
  'WR',
]);
export const OBSERVATION_INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';

/** Table 0127 allergen type -> AllergyIntolerance.category (IG table-hl70127-to-allergy-intolerance-category). */
export const ALLERGEN_TYPE: Record<string, 'food' | 'medication' | 'environment' | 'biologic'> = {
  DA: 'medication',
  FA: 'food',
  EA: 'environment',
  MA: 'medication',
  AA: 'environment',
  PA: 'environment',
  LA: 'environment',
};

/** Table 0128 allergy severity -> AllergyIntolerance.criticality (IG table-hl70128-to-allergy-intolerance-criticality). */
export const ALLERGY_SEVERITY: Record<string, 'low' | 'high' | 'unable-to-assess'> = {
  SV: 'high',
  MO: 'low',
  MI: 'low',
  U: 'unable-to-assess',
};
