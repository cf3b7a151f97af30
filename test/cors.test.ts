import assert from 'node:assert/strict';
import { useTestServer } from './support/in-process-server.ts';

describe('CORS for browser apps (server/http/cors.ts)', () => {
  const { http, anonymous } = useTestServer();
  const APP = 'http://app.example:3000';

  it('answers a preflight for a FHIR read with a bearer token before any token is asked', async () => {
    const res = await anonymous
      .options('/fhir/Patient/1')
      .set('origin', APP)
      .set('access-control-request-method', 'GET')
      .set('access-control-request-headers', 'authorization, accept');
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.match(res.headers['access-control-allow-headers'], /authorization/);
    assert.equal(res.headers['access-control-allow-credentials'], undefined, 'tokens, never cookies');
  });

  it('lets an app read discovery, get tokens and read FHIR across origins, and see Location and ETag', async () => {
    const discovery = await anonymous.get('/fhir/.well-known/smart-configuration').set('origin', APP);
    assert.equal(discovery.headers['access-control-allow-origin'], '*');
    const token = await anonymous.post('/oauth2/token').set('origin', APP).type('form').send({ grant_type: 'client_credentials' });
    assert.equal(token.headers['access-control-allow-origin'], '*');
    const created = await http.post('/fhir/Patient').set('origin', APP).send({ resourceType: 'Patient' });
    assert.equal(created.status, 201);
    assert.match(created.headers['access-control-expose-headers'], /location/);
    assert.match(created.headers['access-control-expose-headers'], /etag/);
  });

  it('gives the sign-in pages and the admin API no CORS', async () => {
    for (const path of ['/oauth2/login', '/oauth2/authorize', '/admin/users']) {
      const res = await anonymous.get(path).set('origin', APP);
      assert.equal(res.headers['access-control-allow-origin'], undefined, path);
    }
  });
});
