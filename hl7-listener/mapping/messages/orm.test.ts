import assert from 'node:assert/strict';
import type { ServiceRequest } from '@medplum/fhirtypes';
import { mapOrders } from './orm.ts';
import { fixture } from '../testing/fixtures.ts';
import { message } from '../testing/hand-built.ts';
import { SYSTEMS, testContext } from '../testing/context.ts';

describe('ORM^O01 / OML^O21 -> ServiceRequest (IG message-orm-o01-to-bundle)', () => {
  it('Patient and Encounter only created when unknown; one ServiceRequest per order, updated by placer number, NTE as note', () => {
    const { message: m, context } = fixture('orm-o01.hl7');
    const entries = mapOrders(m, context);
    assert.deepEqual(
      entries.map((e) => `${e.request.method} ${e.resource.resourceType}`),
      ['POST Patient', 'POST Encounter', 'PUT ServiceRequest', 'PUT ServiceRequest'],
    );
    assert.ok(entries[0].request.ifNoneExist);
    const lipid = entries[2].resource as ServiceRequest;
    assert.equal(decodeURIComponent(entries[2].request.url), `ServiceRequest?identifier=${SYSTEMS.placer}|ORD-5501`);
    assert.equal(lipid.status, 'active');
    assert.equal(lipid.priority, 'stat');
    assert.equal(lipid.note?.[0].text, 'Patient fasting since midnight.');
    assert.equal(lipid.encounter?.reference, entries[1].fullUrl);
  });
  it('an ORC without OBR patches the status of the existing order (cancel keeps the detail)', () => {
    const { message: m, context } = fixture('orm-o01-cancel.hl7');
    const patch = mapOrders(m, context)[1];
    assert.equal(patch.request.method, 'PATCH');
    assert.deepEqual(JSON.parse(Buffer.from((patch.resource as { data: string }).data, 'base64').toString()), [
      { op: 'replace', path: '/status', value: 'revoked' },
    ]);
  });
  it('OML^O21 uses the same order groups', () => {
    const entries = mapOrders(
      message('MSH|^~\\&|A|STJOHN|B|B|20240101||OML^O21|1|P|2.5.1\rPID|1||1^^^STJ^MR\rORC|NW|O-9^STJORD\rOBR|1|O-9^STJORD||2823-3^K^LN'),
      testContext(),
    );
    assert.equal(entries[1].resource.resourceType, 'ServiceRequest');
  });
});
