/**
 * The browser's sign-in session between the authorize request and the redirect back to the app: which request is
 * being answered, who signed in, the patient picked and the CSRF token of its forms. The cookie holds a random id,
 * the store its SHA-256. A session lives 30 minutes; signing in replaces it with a new id (no session fixation,
 * https://owasp.org/www-community/attacks/Session_fixation).
 */
import type { Context } from 'koa';
import type { Engine, StoredDocument } from '../../engine/index.ts';
import { PreconditionFailedError } from '../../store/port.ts';
import { randomToken, sha256Hex } from './random-id.ts';

export const AUTH_SESSIONS = 'auth_sessions';
export const SESSION_COOKIE = 'fhirline_session';
const SESSION_MS = 30 * 60 * 1000;

/** A validated authorize request (request.ts), kept until the user allows or denies it. */
export interface PendingRequest {
  clientId: string;
  clientName: string;
  redirectUri: string;
  state: string;
  /** The scopes that will be granted: the request narrowed to the client's (grantScopes). */
  scope: string;
  codeChallenge: string;
  nonce?: string;
  /** Launch context ids without the type (from an EHR launch, the picker, or a patient user's own record). */
  patient?: string;
  encounter?: string;
  /** `launch/patient` was granted without a launch patient: the signed-in user's record, or the picker, gives it. */
  wantsPatient: boolean;
}

export interface SessionDocument extends StoredDocument {
  csrf: string;
  expires: string;
  /** Absent once the request was answered: the pages then refuse to go on. */
  request?: PendingRequest;
  userId?: string;
}

export interface Session {
  /** The cookie's value; only the response that sets it knows it. */
  readonly id: string;
  doc: SessionDocument;
}

export function sessions(engine: Engine) {
  const collection = engine.collection<SessionDocument>(AUTH_SESSIONS);
  const secure = new URL(engine.config.baseUrl).protocol === 'https:';

  function setCookie(ctx: Context, id: string): void {
    // Set by hand: Koa refuses a Secure cookie on a plain connection, which is what a TLS-terminating proxy forwards.
    const attributes = ['Path=/oauth2', 'HttpOnly', 'SameSite=Lax', `Max-Age=${SESSION_MS / 1000}`, ...(secure ? ['Secure'] : [])];
    ctx.append('Set-Cookie', `${SESSION_COOKIE}=${id}; ${attributes.join('; ')}`);
  }

  return {
    /** A new session for `request` (an authorize request starts afresh), its cookie set on the answer. */
    async start(ctx: Context, request: PendingRequest, userId?: string): Promise<Session> {
      const id = randomToken();
      const doc: SessionDocument = {
        _id: sha256Hex(id),
        csrf: randomToken(),
        expires: new Date(Date.now() + SESSION_MS).toISOString(),
        request,
        ...(userId && { userId }),
      };
      await collection.write([collection.insert(doc)]);
      setCookie(ctx, id);
      return { id, doc };
    },

    /** The request's live session, or undefined (no cookie, unknown, expired). */
    async current(ctx: Context): Promise<Session | undefined> {
      const id = ctx.cookies.get(SESSION_COOKIE);
      if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
      const doc = await collection.findOne({ _id: sha256Hex(id) });
      if (!doc || doc.expires <= new Date().toISOString()) return undefined;
      return { id, doc };
    },

    async save(session: Session): Promise<void> {
      await collection.write([collection.replace(session.doc)]);
    },

    /** Ends `session` (the store keeps no deletes: it expires now) and starts its successor for `userId`. */
    async renew(ctx: Context, session: Session, request: PendingRequest, userId: string): Promise<Session> {
      await collection.write([collection.replace({ ...session.doc, expires: new Date().toISOString() })]);
      return this.start(ctx, request, userId);
    },

    /**
     * Ends the request of `session` (allowed or denied) unless a concurrent post did it first (false then): the
     * expect on its CSRF token, which changes here, lets only one consent post through.
     */
    async finish(session: Session): Promise<boolean> {
      const { request: _answered, ...rest } = session.doc;
      try {
        await collection.write([collection.replace({ ...rest, csrf: randomToken() }, { csrf: session.doc.csrf })]);
        return true;
      } catch (err) {
        if (err instanceof PreconditionFailedError) return false;
        throw err;
      }
    },
  };
}

export type Sessions = ReturnType<typeof sessions>;
