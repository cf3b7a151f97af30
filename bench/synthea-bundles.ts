/**
 * Synthea-shaped patient transaction Bundles for the ingest benchmark (https://github.com/synthetichealth/synthea
 * writes one such Bundle per patient): a Patient and years of Encounters, each with its vital signs and sometimes
 * a lab panel (Observations), Conditions, Procedures, MedicationRequests, and a Claim with its
 * ExplanationOfBenefit per encounter and per prescription. Every entry is a POST with a `urn:uuid:` fullUrl and
 * the resources refer to one another by those URNs; the organization and the practitioner are conditional
 * references (`Organization?identifier=...`), as in Synthea, to resources created once by `sharedBundle`.
 *
 * Bundle `i` depends only on the seed and `i`: between 300 and 1,000 entries (uniform), LOINC, SNOMED CT, RxNorm
 * and CPT codes as Synthea uses them.
 */
import type {
  Bundle,
  BundleEntry,
  Claim,
  Money,
  Condition,
  Encounter,
  ExplanationOfBenefit,
  MedicationRequest,
  Observation,
  Procedure,
  Resource,
} from '@medplum/fhirtypes';
import { patientGenerator, seededRandom } from './patients.ts';

const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const UCUM = 'http://unitsofmeasure.org';
const SYNTHEA_ID = 'https://github.com/synthetichealth/synthea';
const NPI = 'http://hl7.org/fhir/sid/us-npi';
const CLAIM_TYPE = 'http://terminology.hl7.org/CodeSystem/claim-type';
const OBS_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

/** Organizations and practitioners created once before the patients (Synthea's hospitalInformation files). */
export const SHARED_ORGANIZATIONS = 10;
export const SHARED_PRACTITIONERS = 20;
const orgIdentifier = (i: number) => `org-${String(i).padStart(4, '0')}`;
const npiOf = (i: number) => String(9_999_900_000 + i);

/** [LOINC, display, UCUM unit, mean, spread]: the vital signs Synthea records at every encounter. */
const VITALS: [string, string, string, number, number][] = [
  ['8302-2', 'Body Height', 'cm', 170, 10],
  ['29463-7', 'Body Weight', 'kg', 76, 15],
  ['39156-5', 'Body Mass Index', 'kg/m2', 26, 4],
  ['72514-3', 'Pain severity - 0-10 verbal numeric rating [Score] - Reported', '{score}', 2, 2],
  ['8867-4', 'Heart rate', '/min', 76, 12],
  ['9279-1', 'Respiratory rate', '/min', 15, 2],
];
/** The metabolic panel Synthea draws at some wellness visits. */
const LABS: [string, string, string, number, number][] = [
  ['2339-0', 'Glucose', 'mg/dL', 95, 20],
  ['6299-2', 'Urea Nitrogen', 'mg/dL', 14, 4],
  ['38483-4', 'Creatinine', 'mg/dL', 1.0, 0.3],
  ['49765-1', 'Calcium', 'mg/dL', 9.4, 0.4],
  ['2947-0', 'Sodium', 'mmol/L', 140, 2],
  ['6298-4', 'Potassium', 'mmol/L', 4.2, 0.3],
  ['2069-3', 'Chloride', 'mmol/L', 104, 2],
  ['20565-8', 'Carbon Dioxide', 'mmol/L', 25, 2],
];
const ENCOUNTER_TYPES: [string, string, string][] = [
  ['AMB', '410620009', 'Well child visit (procedure)'],
  ['AMB', '162673000', 'General examination of patient (procedure)'],
  ['AMB', '185349003', 'Encounter for check up (procedure)'],
  ['EMER', '50849002', 'Emergency room admission (procedure)'],
  ['IMP', '32485007', 'Hospital admission (procedure)'],
];
const CONDITIONS: [string, string][] = [
  ['444814009', 'Viral sinusitis (disorder)'],
  ['195662009', 'Acute viral pharyngitis (disorder)'],
  ['10509002', 'Acute bronchitis (disorder)'],
  ['59621000', 'Essential hypertension (disorder)'],
  ['44054006', 'Diabetes mellitus type 2 (disorder)'],
  ['162864005', 'Body mass index 30+ - obesity (finding)'],
  ['15777000', 'Prediabetes (finding)'],
  ['271737000', 'Anemia (disorder)'],
];
const PROCEDURES: [string, string][] = [
  ['430193006', 'Medication Reconciliation (procedure)'],
  ['710824005', 'Assessment of health and social care needs (procedure)'],
  ['171207006', 'Depression screening (procedure)'],
  ['428191000124101', 'Documentation of current medications (procedure)'],
  ['76601001', 'Intramuscular injection (procedure)'],
];
const MEDICATIONS: [string, string][] = [
  ['313782', 'Acetaminophen 325 MG Oral Tablet'],
  ['314076', 'lisinopril 10 MG Oral Tablet'],
  ['860975', '24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet'],
  ['308136', 'amLODIPine 2.5 MG Oral Tablet'],
  ['834061', 'Penicillin V Potassium 250 MG Oral Tablet'],
  ['562251', 'Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet'],
];
const PAYERS = ['Medicaid', 'Medicare', 'Blue Cross Blue Shield', 'Aetna', 'UnitedHealthcare', 'NO_INSURANCE'];

export interface GeneratedBundle {
  /** The transaction Bundle as JSON text. */
  body: string;
  entries: number;
  byType: Record<string, number>;
}

/** The Organizations and Practitioners the patient Bundles refer to, as one transaction (PUT with fixed ids). */
export function sharedBundle(): Bundle {
  const entry: BundleEntry[] = [];
  for (let i = 0; i < SHARED_ORGANIZATIONS; i++) {
    const resource: Resource = {
      resourceType: 'Organization',
      id: orgIdentifier(i),
      identifier: [{ system: SYNTHEA_ID, value: orgIdentifier(i) }],
      active: true,
      type: [
        {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov', display: 'Healthcare Provider' }],
          text: 'Healthcare Provider',
        },
      ],
      name: `General Hospital ${i + 1}`,
      telecom: [{ system: 'phone', value: `555-01${String(i).padStart(2, '0')}` }],
      address: [{ line: [`${100 + i} Main Street`], city: 'Springfield', state: 'MA', postalCode: '01101', country: 'US' }],
    };
    entry.push({ resource, request: { method: 'PUT', url: `Organization/${resource.id}` } });
  }
  for (let i = 0; i < SHARED_PRACTITIONERS; i++) {
    const resource: Resource = {
      resourceType: 'Practitioner',
      id: `npi-${npiOf(i)}`,
      identifier: [{ system: NPI, value: npiOf(i) }],
      active: true,
      name: [{ family: `Doctor${i}`, given: ['Alex'], prefix: ['Dr.'] }],
      gender: i % 2 ? 'female' : 'male',
    };
    entry.push({ resource, request: { method: 'PUT', url: `Practitioner/${resource.id}` } });
  }
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

/** Patient Bundle `index`: 300-1,000 entries. */
export function syntheaBundle(seed: number, index: number): GeneratedBundle {
  const rnd = seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
  const urn = () => `urn:uuid:${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const quantity = (mean: number, spread: number, unit: string) => ({
    value: Math.round((mean + (rnd() + rnd() - 1) * spread) * 100) / 100,
    unit,
    system: UCUM,
    code: unit,
  });
  const instant = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

  // The last encounter adds up to ~35 entries past the target.
  const target = int(300, 960);
  const entry: BundleEntry[] = [];
  const add = (resource: Resource): string => {
    const fullUrl = urn();
    entry.push({ fullUrl, resource, request: { method: 'POST', url: resource.resourceType } });
    return fullUrl;
  };

  const base = patientGenerator(seed + index).next();
  const patientUrl = add({
    ...base,
    identifier: [{ system: SYNTHEA_ID, value: `${seed}-${index}` }, ...(base.identifier ?? [])],
    multipleBirthBoolean: false,
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en-US', display: 'English' }], text: 'English' } }],
  });
  const subject = { reference: patientUrl };
  const organization = {
    reference: `Organization?identifier=${SYNTHEA_ID}|${orgIdentifier(index % SHARED_ORGANIZATIONS)}`,
    display: 'General Hospital',
  };
  const practitioner = { reference: `Practitioner?identifier=${NPI}|${npiOf(index % SHARED_PRACTITIONERS)}`, display: 'Dr. Alex Doctor' };
  const payer = pick(PAYERS);

  let at = Date.UTC(2000, 0, 1) + int(0, 3650) * 86_400_000;
  while (entry.length < target) {
    at += int(20, 200) * 86_400_000;
    const [klass, typeCode, typeDisplay] = rnd() < 0.8 ? pick(ENCOUNTER_TYPES.slice(0, 3)) : pick(ENCOUNTER_TYPES.slice(3));
    const start = instant(at);
    const end = instant(at + (klass === 'IMP' ? int(1, 5) * 86_400_000 : int(15, 60) * 60_000));
    const encounter: Encounter = {
      resourceType: 'Encounter',
      identifier: [{ use: 'official', system: SYNTHEA_ID, value: hex(16) }],
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: klass },
      type: [{ coding: [{ system: SNOMED, code: typeCode, display: typeDisplay }], text: typeDisplay }],
      subject,
      participant: [
        {
          type: [
            {
              coding: [
                { system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PPRF', display: 'primary performer' },
              ],
            },
          ],
          period: { start, end },
          individual: practitioner,
        },
      ],
      period: { start, end },
      serviceProvider: organization,
    };
    const encounterRef = { reference: add(encounter) };
    const clinical = { subject, encounter: encounterRef };
    const diagnoses: { reference: string }[] = [];
    const procedures: [string, string][] = [];

    const observation = (category: string, code: string, display: string, extra: Partial<Observation>): Observation => ({
      resourceType: 'Observation',
      status: 'final',
      category: [
        { coding: [{ system: OBS_CATEGORY, code: category, display: category === 'vital-signs' ? 'vital-signs' : 'laboratory' }] },
      ],
      code: { coding: [{ system: LOINC, code, display }], text: display },
      ...clinical,
      effectiveDateTime: start,
      issued: `${start.slice(0, 19)}.000Z`,
      ...extra,
    });
    for (const [code, display, unit, mean, spread] of VITALS)
      add(observation('vital-signs', code, display, { valueQuantity: quantity(mean, spread, unit) }));
    add(
      observation('vital-signs', '85354-9', 'Blood Pressure', {
        component: [
          {
            code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic Blood Pressure' }] },
            valueQuantity: quantity(80, 10, 'mm[Hg]'),
          },
          {
            code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic Blood Pressure' }] },
            valueQuantity: quantity(125, 15, 'mm[Hg]'),
          },
        ],
      }),
    );
    if (rnd() < 0.4) {
      for (const [code, display, unit, mean, spread] of LABS)
        add(observation('laboratory', code, display, { valueQuantity: quantity(mean, spread, unit) }));
    }
    if (rnd() < 0.35) {
      const [code, display] = pick(CONDITIONS);
      const resolved = rnd() < 0.6;
      const condition: Condition = {
        resourceType: 'Condition',
        clinicalStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: resolved ? 'resolved' : 'active' }],
        },
        verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
        category: [
          {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/condition-category',
                code: 'encounter-diagnosis',
                display: 'Encounter Diagnosis',
              },
            ],
          },
        ],
        code: { coding: [{ system: SNOMED, code, display }], text: display },
        ...clinical,
        onsetDateTime: start,
        ...(resolved ? { abatementDateTime: instant(at + int(7, 30) * 86_400_000) } : {}),
        recordedDate: start,
      };
      diagnoses.push({ reference: add(condition) });
    }
    for (let p = int(0, 2); p > 0; p--) {
      const [code, display] = pick(PROCEDURES);
      const procedure: Procedure = {
        resourceType: 'Procedure',
        status: 'completed',
        code: { coding: [{ system: SNOMED, code, display }], text: display },
        ...clinical,
        performedPeriod: { start, end },
        location: { display: 'General Hospital' },
      };
      add(procedure);
      procedures.push([code, display]);
    }
    const claims: { items: [string, string, string][]; prescription?: string; diagnoses: { reference: string }[] }[] = [
      { items: [[SNOMED, typeCode, typeDisplay], ...procedures.map(([c, d]): [string, string, string] => [SNOMED, c, d])], diagnoses },
    ];
    for (let m = rnd() < 0.45 ? int(1, 2) : 0; m > 0; m--) {
      const [code, display] = pick(MEDICATIONS);
      const request: MedicationRequest = {
        resourceType: 'MedicationRequest',
        status: rnd() < 0.8 ? 'stopped' : 'active',
        intent: 'order',
        medicationCodeableConcept: { coding: [{ system: RXNORM, code, display }], text: display },
        ...clinical,
        authoredOn: start,
        requester: practitioner,
        dosageInstruction: [
          {
            sequence: 1,
            text: 'Take as directed',
            asNeededBoolean: false,
            timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
          },
        ],
      };
      claims.push({ items: [[RXNORM, code, display]], prescription: add(request), diagnoses: [] });
    }
    for (const claim of claims) addClaim(claim.items, claim.diagnoses, claim.prescription);

    function addClaim(items: [string, string, string][], diagnosis: { reference: string }[], prescription?: string): void {
      const amount = Math.round(items.length * (80 + rnd() * 400) * 100) / 100;
      const total: Money = { value: amount, currency: 'USD' };
      const insurance = payer;
      // The ExplanationOfBenefit adjudicates this claim, so both carry the same status, type, patient and period.
      const billing: Pick<Claim, 'status' | 'type' | 'use' | 'patient' | 'billablePeriod' | 'created'> = {
        status: 'active',
        type: { coding: [{ system: CLAIM_TYPE, code: prescription ? 'pharmacy' : 'institutional' }] },
        use: 'claim',
        patient: subject,
        billablePeriod: { start, end },
        created: end,
      };
      const claimResource: Claim = {
        resourceType: 'Claim',
        ...billing,
        provider: organization,
        priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
        ...(prescription ? { prescription: { reference: prescription } } : {}),
        ...(diagnosis.length ? { diagnosis: diagnosis.map((d, i) => ({ sequence: i + 1, diagnosisReference: d })) } : {}),
        insurance: [{ sequence: 1, focal: true, coverage: { display: insurance } }],
        item: items.map(([system, code, display], i) => ({
          sequence: i + 1,
          productOrService: { coding: [{ system, code, display }], text: display },
          encounter: [encounterRef],
        })),
        total,
      };
      const claimUrl = add(claimResource);
      const eob: ExplanationOfBenefit = {
        resourceType: 'ExplanationOfBenefit',
        contained: [
          {
            resourceType: 'Coverage',
            id: 'coverage',
            status: 'active',
            type: { text: insurance },
            beneficiary: subject,
            payor: [{ display: insurance }],
          },
        ],
        identifier: [{ system: 'https://bluebutton.cms.gov/resources/variables/clm_id', value: hex(12) }],
        ...billing,
        insurer: { display: insurance },
        provider: practitioner,
        claim: { reference: claimUrl },
        outcome: 'complete',
        careTeam: [
          {
            sequence: 1,
            provider: practitioner,
            role: {
              coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claimcareteamrole', code: 'primary', display: 'Primary provider' }],
            },
          },
        ],
        insurance: [{ focal: true, coverage: { reference: '#coverage', display: insurance } }],
        item: items.map(([system, code, display], i) => ({
          sequence: i + 1,
          productOrService: { coding: [{ system, code, display }], text: display },
          servicedPeriod: { start, end },
          encounter: [encounterRef],
          adjudication: [
            {
              category: {
                coding: [
                  {
                    system: 'https://bluebutton.cms.gov/resources/codesystem/adjudication',
                    code: 'https://bluebutton.cms.gov/resources/variables/line_prcsg_ind_cd',
                    display: 'Line Processing Indicator Code',
                  },
                ],
              },
              amount: { value: Math.round((amount / items.length) * 100) / 100, currency: 'USD' },
            },
          ],
        })),
        total: [
          {
            category: {
              coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'submitted', display: 'Submitted Amount' }],
            },
            amount: total,
          },
        ],
        payment: { amount: { value: Math.round(amount * 0.8 * 100) / 100, currency: 'USD' } },
      };
      add(eob);
    }
  }

  const byType: Record<string, number> = {};
  for (const e of entry) byType[e.resource!.resourceType] = (byType[e.resource!.resourceType] ?? 0) + 1;
  const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry };
  return { body: JSON.stringify(bundle), entries: entry.length, byType };
}
