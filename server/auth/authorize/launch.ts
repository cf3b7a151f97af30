/**
 * EHR launch (https://hl7.org/fhir/smart-app-launch/app-launch.html#launch-app-ehr-launch): the EHR asks
 * `POST /admin/launch` for a launch id carrying the patient and encounter in context, hands it to the app, and
 * the app sends it back as the authorize request's `launch`. A launch id is single use, lives 5 minutes and is
 * stored as its SHA-256.
 */
import type { Context } from 'koa';
import { badRequest, isJsonObject, readJsonBody, sendJson, systemPrincipal, type Engine, type StoredDocument } from '../../engine/index.ts';
import { forbidden } from '../../errors/fhir-error.ts';
import { principalOf } from '../../http/principal.ts';
import { PreconditionFailedError } from '../../store/port.ts';
import { randomToken, sha256Hex } from './random-id.ts';

export const AUTH_LAUNCHES = 'auth_launches';
export const LAUNCH_MS = 5 * 60 * 1000;
const ID = '[A-Za-z0-9\\-.]{1,64}';

interface LaunchDocument extends StoredDocument {
  patient?: string;
  encounter?: string;
  expires: string;
  used: boolean;
  /** Who asked for it, for the audit trail. */
  createdBy: string;
}

export interface LaunchContext {
  patient?: string;
  encounter?: string;
}

/** `POST /admin/launch` with `{"patient":"Patient/1","encounter":"Encounter/2"}` -> 201 `{"launch": "..."}`. */
export async function createLaunch(ctx: Context, engine: Engine): Promise<void> {
  const principal = principalOf(ctx);
  if (!principal.access.admin) throw forbidden('POST /admin/launch needs an admin token');
  const body = await readJsonBody(ctx, 64 * 1024);
  if (!isJsonObject(body)) throw badRequest('The body must be a JSON object with patient and/or encounter');
  for (const key of Object.keys(body)) if (key !== 'patient' && key !== 'encounter') throw badRequest(`Unknown member ${key}`, key);
  const context: LaunchContext = {};
  for (const [key, type] of [
    ['patient', 'Patient'],
    ['encounter', 'Encounter'],
  ] as const) {
    const value = body[key];
    if (value === undefined) continue;
    const m = typeof value === 'string' ? new RegExp(`^${type}/(${ID})$`).exec(value) : null;
    if (!m) throw badRequest(`${key} must be a reference ${type}/<id>`, key);
    // The launch names what the EHR has open; one that does not exist is the EHR's mistake, said now. The
    // system principal reads it: an admin token need not see clinical data to launch an app on it.
    if (!(await engine.findOne(systemPrincipal('authorize'), type, new URLSearchParams({ _id: m[1]! }).toString()))) {
      throw badRequest(`${key} ${type}/${m[1]} does not exist`, key);
    }
    context[key] = m[1];
  }
  if (!context.patient && !context.encounter) throw badRequest('A launch needs a patient or an encounter', 'patient');
  const launch = randomToken();
  const collection = engine.collection<LaunchDocument>(AUTH_LAUNCHES);
  await collection.write([
    collection.insert({
      _id: sha256Hex(launch),
      ...context,
      expires: new Date(Date.now() + LAUNCH_MS).toISOString(),
      used: false,
      createdBy: principal.name,
    }),
  ]);
  sendJson(ctx, 201, { launch, expires_in: LAUNCH_MS / 1000 });
}

/** The context of a live, unused launch id, which this call uses up; undefined for any other. */
export async function consumeLaunch(engine: Engine, launch: string): Promise<LaunchContext | undefined> {
  const collection = engine.collection<LaunchDocument>(AUTH_LAUNCHES);
  const doc = await collection.findOne({ _id: sha256Hex(launch) });
  if (!doc || doc.used || doc.expires <= new Date().toISOString()) return undefined;
  try {
    await collection.write([collection.replace({ ...doc, used: true }, { used: false })]);
  } catch (err) {
    if (err instanceof PreconditionFailedError) return undefined; // a concurrent request used it first
    throw err;
  }
  return { ...(doc.patient && { patient: doc.patient }), ...(doc.encounter && { encounter: doc.encounter }) };
}
