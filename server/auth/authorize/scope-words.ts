/**
 * The consent page's sentences for SMART scopes
 * (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html): `patient/Observation.rs` reads
 * "read and search your Observations" to a patient, "... the selected patient's Observations" to anyone else.
 */

const V2_VERBS: Record<string, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };
const V1_VERBS: Record<string, string[]> = {
  read: ['read', 'search'],
  write: ['create', 'update', 'delete'],
  '*': ['read', 'search', 'create', 'update', 'delete'],
};

const OTHER: Record<string, string> = {
  openid: 'know who you are (your sign-in identity)',
  fhirUser: 'know which FHIR record you are (Patient, Practitioner or RelatedPerson)',
  profile: 'know which FHIR record you are (Patient, Practitioner or RelatedPerson)',
  launch: 'receive the context the EHR launched it with (patient, encounter)',
  'launch/patient': 'know which patient is selected',
  'launch/encounter': 'know which encounter is selected',
  offline_access: 'keep access after you close it, until you revoke it (offline access)',
  online_access: 'keep access while you stay signed in (online access)',
};

export function describeScope(scope: string, patientUser: boolean): string {
  if (OTHER[scope]) return OTHER[scope];
  const m = /^(patient|user|system)\/([A-Za-z]+|\*)\.([a-z*]+)(?:\?(.*))?$/.exec(scope);
  if (!m) return `use the permission "${scope}"`;
  const [, context, type, permissions, query] = m as unknown as [string, string, string, string, string | undefined];
  const verbs = V1_VERBS[permissions] ?? [...permissions].map((p) => V2_VERBS[p]).filter((v): v is string => v !== undefined);
  if (verbs.length === 0) return `use the permission "${scope}"`;
  const what = type === '*' ? 'data of every kind' : `${type}s`;
  const whose = context === 'patient' ? (patientUser ? 'your ' : "the selected patient's ") : context === 'user' ? '' : 'all ';
  const reach = context === 'user' ? ' you are allowed to see' : context === 'system' ? ' on this server' : '';
  const only = query ? ` (only those matching ${query})` : '';
  return `${sentence(verbs)} ${whose}${what}${reach}${only}`;
}

function sentence(words: string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
