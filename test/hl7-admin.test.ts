import assert from 'node:assert/strict';
import type { AddressInfo, Server } from 'node:net';
import Koa from 'koa';
import request from 'supertest';
import { hl7AdminRouter } from '../hl7-listener/admin/routes.ts';
import { errorHandler } from '../server/http/errors.ts';
import type { Patient } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from './support/in-process-server.ts';
import type { MapMessage } from '../hl7-listener/handle-message.ts';
import { conditionalUpdate } from '../hl7-listener/mapping/entries.ts';
import { ERROR_CODES, fault } from '../hl7-listener/mapping/errors.ts';
import { startMllpServer } from '../hl7-listener/mllp-server.ts';
import { MllpClient } from '../hl7-listener/testing/mllp-client.ts';

describe('HL7 error queue: GET /admin/hl7/messages, GET one, POST $replay (issue 5)', () => {
  let fhir: TestServer;
  let mllp: Server;
  let client: MllpClient;
  let app: Koa;
  let tableFixed = false;
  const map: MapMessage = (message, context) => {
    if (!tableFixed)
      return {
        ok: false as const,
        error: fault(ERROR_CODES.tableValueNotFound, 'PID-3 authority not in the sender table', { segment: 'PID', sequence: 1, field: 3 }),
      };
    const patient: Patient = { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: '55' }] };
    return { ok: true as const, entries: [conditionalUpdate(context, 'p', patient, 'identifier=urn:mrn|55')] };
  };

  before(async () => {
    fhir = await startTestServer({ MLLP_PORT: '0' });
    mllp = (await startMllpServer(fhir.engine, { map })).server;
    app = new Koa();
    app.use(errorHandler(fhir.services.logger));
    app.use(hl7AdminRouter(fhir.engine, map).routes());
    client = await MllpClient.connect((mllp.address() as AddressInfo).port);
  });
  after(async () => {
    client.socket.destroy();
    await new Promise((resolve) => mllp.close(resolve));
    await fhir.close();
  });

  it('lists a failed message, shows it, replays it after the fix; a re-send then gets the new AA and applies nothing more', async () => {
    const message = 'MSH|^~\\&|LAB|HOSP|F|M|2024||ADT^A08|R1|P|2.5.1\rPID|1||55';
    assert.match(await client.request(message), /\rMSA\|AE\|R1/);

    const list = await request(app.callback()).get('/admin/hl7/messages').expect(200);
    assert.equal(list.body.total, 1);
    const [item] = list.body.messages;
    assert.equal(item.controlId, 'R1');
    assert.equal(item.error.code, '103');

    const one = await request(app.callback()).get(`/admin/hl7/messages/${item.id}`).expect(200);
    assert.equal(one.body.status, 'failed');
    assert.match(one.body.text, /^MSH\|/);

    tableFixed = true;
    const replay = await request(app.callback()).post(`/admin/hl7/messages/${item.id}/$replay`).expect(200);
    assert.equal(replay.body.status, 'applied');
    assert.equal(replay.body.ackCode, 'AA');
    assert.equal(replay.body.resources.length, 1);
    await request(app.callback()).post(`/admin/hl7/messages/${item.id}/$replay`).expect(409);
    assert.equal((await request(app.callback()).get('/admin/hl7/messages').expect(200)).body.total, 0);

    assert.match(await client.request(message), /\rMSA\|AA\|R1/);
    const patients = await fhir.services.store.find('resources', { resourceType: 'Patient' });
    assert.equal(patients.length, 1);
    await request(app.callback()).get('/admin/hl7/messages/unknown').expect(404);
  });
});
