/**
 * The order of the pages: authorize -> login -> patient picker (when a patient must be chosen) -> consent ->
 * back to the app. Each page checks that its session has reached it, so no step can be skipped by URL.
 */
import type { Context } from 'koa';
import { readFormBody } from '../../http/body.ts';
import { csrfValid } from './csrf.ts';
import { sendErrorPage } from './html.ts';
import type { PendingRequest, Session, Sessions } from './session.ts';

export const PATHS = {
  authorize: '/oauth2/authorize',
  login: '/oauth2/login',
  patient: '/oauth2/patient',
  consent: '/oauth2/consent',
} as const;

export type Step = 'login' | 'patient' | 'consent';

/** Forms are small: a username, a password, a name to search. */
const MAX_FORM_BYTES = 16 * 1024;

/** The page the session must see next. */
export function nextStep(doc: { request?: PendingRequest; userId?: string }): Step {
  if (!doc.userId) return 'login';
  if (doc.request?.wantsPatient && !doc.request.patient) return 'patient';
  return 'consent';
}

export interface StepState {
  session: Session;
  request: PendingRequest;
}

/** The session if it is at `step`, else an error page has been sent. */
export async function enterStep(ctx: Context, sessions: Sessions, step: Step): Promise<StepState | undefined> {
  const session = await sessions.current(ctx);
  const request = session?.doc.request;
  if (!session || !request) {
    sendErrorPage(ctx, 400, 'Your sign-in session has expired or has already been used.');
    return undefined;
  }
  if (nextStep(session.doc) !== step) {
    sendErrorPage(ctx, 400, 'This page is not the next step of your sign-in.');
    return undefined;
  }
  return { session, request };
}

/** A posted form whose CSRF token matches the session's, else a 403 page has been sent. */
export async function postedForm(
  ctx: Context,
  sessions: Sessions,
  step: Step,
): Promise<(StepState & { form: URLSearchParams }) | undefined> {
  const form = new URLSearchParams(await readFormBody(ctx, MAX_FORM_BYTES));
  const session = await sessions.current(ctx);
  if (!csrfValid(session, form)) {
    sendErrorPage(ctx, 403, 'The form could not be verified (CSRF token missing or wrong). Reload the page and try again.');
    return undefined;
  }
  const state = await enterStep(ctx, sessions, step);
  return state && { ...state, form };
}
