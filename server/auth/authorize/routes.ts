/**
 * The SMART authorize endpoint and its pages (https://hl7.org/fhir/smart-app-launch/app-launch.html), and
 * `POST /admin/launch` for EHR launches. Pages: `/oauth2/login`, `/oauth2/patient`, `/oauth2/consent`.
 */
import Router from '@koa/router';
import type { CollectionSpec, Engine } from '../../engine/index.ts';
import type { Services } from '../../services.ts';
import { authorizeEndpoint } from './authorize-endpoint.ts';
import { consentPage } from './consent.ts';
import { AUTH_LAUNCHES, createLaunch } from './launch.ts';
import { loginPage } from './login.ts';
import { pickerPage } from './picker.ts';
import { AUTH_SESSIONS, sessions as sessionStore } from './session.ts';
import { PATHS } from './steps.ts';
import { AUTH_LOGIN_THROTTLE } from './throttle.ts';

/** Every document here is read by its `_id` (a SHA-256), so none needs an index of its own. */
export const AUTHORIZE_COLLECTIONS: CollectionSpec[] = [
  { name: AUTH_SESSIONS, indexes: [] },
  { name: AUTH_LAUNCHES, indexes: [] },
  { name: AUTH_LOGIN_THROTTLE, indexes: [] },
];

export function authorizeRouter(services: Services, engine: Engine): Router {
  const router = new Router();
  const sessions = sessionStore(engine);
  const login = loginPage(engine, sessions);
  const picker = pickerPage(engine, services.store, sessions);
  const consent = consentPage(engine, sessions);
  const authorize = authorizeEndpoint(engine, sessions);
  router.get(PATHS.authorize, authorize);
  router.post(PATHS.authorize, authorize);
  router.get(PATHS.login, login.get);
  router.post(PATHS.login, login.post);
  router.get(PATHS.patient, picker.get);
  router.post(PATHS.patient, picker.post);
  router.get(PATHS.consent, consent.get);
  router.post(PATHS.consent, consent.post);
  router.post('/admin/launch', (ctx) => createLaunch(ctx, engine));
  return router;
}
