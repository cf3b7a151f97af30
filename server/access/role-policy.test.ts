import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_ROLE_POLICIES, loadRolePolicies, parseRolePolicies, rolePoliciesFile, type RolePolicy } from './role-policy.ts';

const shipped = JSON.parse(readFileSync(DEFAULT_ROLE_POLICIES, 'utf8')) as { roles: Record<string, Record<string, unknown>> };

/** The shipped file with one change made by `edit`. */
function changed(edit: (json: typeof shipped) => void): unknown {
  const json = structuredClone(shipped);
  edit(json);
  return json;
}

function rejects(json: unknown, message: RegExp): void {
  assert.throws(
    () => parseRolePolicies(json, 'site.json'),
    (err: Error) => {
      assert.match(err.message, /^site\.json: /);
      assert.match(err.message, message);
      return true;
    },
  );
}

/** The interactions a role's rules give on `type` without criteria (letters, sorted). */
function plain(policy: RolePolicy, type: string): string {
  const letters = new Set<string>();
  for (const rule of policy.rules) {
    if (rule.criteria || !(rule.resourceTypes.includes(type) || rule.resourceTypes.includes('*'))) continue;
    for (const i of rule.interactions) letters.add(i);
  }
  return [...letters].sort().join('');
}

describe('role policies (server/access/role-policy.ts)', () => {
  it('ROLE_POLICIES names a site file; unset, the shipped defaults', () => {
    assert.equal(rolePoliciesFile({}), DEFAULT_ROLE_POLICIES);
    assert.equal(rolePoliciesFile({ ROLE_POLICIES: '/etc/site.json' }), '/etc/site.json');
  });

  it('loads the shipped defaults as the issue lists them', () => {
    const { roles } = loadRolePolicies();
    assert.equal(plain(roles.doctor, 'Observation'), 'rs');
    assert.equal(plain(roles.doctor, 'MedicationRequest'), 'cdrsu');
    assert.equal(plain(roles.admin, 'Practitioner'), 'cdrsu');
    assert.equal(plain(roles.admin, 'Observation'), '', 'admin reads no clinical data');
    assert.equal(plain(roles.admin, 'Patient'), '');
    assert.equal(plain(roles.nurse, 'Observation'), 'rs');
    assert.equal(plain(roles.nurse, 'MedicationAdministration'), 'cdrsu');
    assert.deepEqual(roles.nurse.rules.find((r) => r.writableElements)?.writableElements, ['status', 'businessStatus', 'statusReason']);
    assert.deepEqual(roles.nurse.rules.find((r) => r.criteria)?.criteria, [
      ['category', 'http://terminology.hl7.org/CodeSystem/observation-category|vital-signs'],
    ]);
    assert.equal(plain(roles.pharmacist, 'MedicationDispense'), 'cdrsu');
    assert.equal(plain(roles.pharmacist, 'Observation'), '', 'only laboratory Observations, through criteria');
    assert.equal(plain(roles['lab-tech'], 'Specimen'), 'cdrsu');
    assert.equal(plain(roles.insurer, 'DocumentReference'), '', 'insurers read no clinical notes');
    assert.equal(plain(roles.insurer, 'ClaimResponse'), 'cdrsu');
    assert.deepEqual(roles.insurer.hiddenElements, { Patient: ['telecom'] });
    assert.equal(roles.patient.compartment, 'self');
    assert.ok(Object.values(roles).every((r) => r.comment.length > 20));
  });

  it('refuses an unknown role, and a missing one', () => {
    rejects(
      changed((j) => (j.roles.surgeon = j.roles.doctor)),
      /roles\.surgeon: unknown role 'surgeon'/,
    );
    rejects(
      changed((j) => delete j.roles.nurse),
      /roles\.nurse: role 'nurse' has no policy/,
    );
  });

  it('refuses an unknown resource type, with its path', () => {
    rejects(
      changed((j) => (j.roles.doctor.rules = [{ resourceTypes: ['Observationz'], interactions: 'rs' }])),
      /roles\.doctor\.rules\[0\]\.resourceTypes\[0\]: unknown resource type 'Observationz'/,
    );
    rejects(
      changed((j) => (j.roles.insurer.hiddenElements = { Patiant: ['telecom'] })),
      /roles\.insurer\.hiddenElements\.Patiant: unknown resource type/,
    );
    rejects(
      changed((j) => (j.roles.doctor.rules = [{ resourceTypes: ['#nosuch'], interactions: 'rs' }])),
      /no typeGroups entry 'nosuch'/,
    );
  });

  it('refuses bad interactions', () => {
    for (const interactions of ['sr', 'read', '', 'x', 'rr']) {
      rejects(
        changed((j) => (j.roles.doctor.rules = [{ resourceTypes: ['Patient'], interactions }])),
        /roles\.doctor\.rules\[0\]\.interactions: '.*' is not SMART v2 letters/,
      );
    }
  });

  it('refuses unparsable criteria, and criteria on *', () => {
    const rule = (criteria: string, resourceTypes = ['Observation']) =>
      changed((j) => (j.roles.nurse.rules = [{ resourceTypes, interactions: 'rs', criteria }]));
    rejects(rule('nosuch=1'), /roles\.nurse\.rules\[0\]\.criteria: 'nosuch' is not a search parameter of Observation/);
    rejects(rule('date=notadate'), /roles\.nurse\.rules\[0\]\.criteria: 'date' does not compile for Observation/);
    rejects(rule('subject.name=x'), /plain search parameter/);
    rejects(rule('category=x', ['*']), /criteria need resource types/);
    rejects(rule('category=x', ['Observation', 'Patient']), /not a search parameter of Patient/);
  });

  it('refuses unknown keys (a misspelt criteria would allow everything), and writableElements without u', () => {
    rejects(
      changed((j) => (j.roles.nurse.rules = [{ resourceTypes: ['Observation'], interactions: 'rs', critera: 'category=x' }])),
      /roles\.nurse\.rules\[0\]\.critera: unknown key/,
    );
    rejects(
      changed((j) => (j.roles.nurse.rules = [{ resourceTypes: ['Task'], interactions: 'rs', writableElements: ['status'] }])),
      /writableElements: only a rule that allows 'u'/,
    );
    rejects(
      changed((j) => (j.roles.nurse.compartment = 'ward')),
      /roles\.nurse\.compartment/,
    );
  });

  it('names the file it cannot read', () => {
    assert.throws(() => loadRolePolicies('/nonexistent/policies.json'), /^Error: \/nonexistent\/policies\.json: cannot read role policies/);
  });
});
