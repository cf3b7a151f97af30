/**
 * The sign-in page: `GET /oauth2/login` shows the form (fields `username`, `password`), `POST /oauth2/login`
 * checks it. Every failure (wrong password, unknown or inactive user, locked username) reads the same, so the
 * page never tells whether a username exists; an unknown username costs the same scrypt as a known one.
 */
import type { Context } from 'koa';
import type { Engine } from '../../engine/index.ts';
import { AUTH_USERS, type UserDocument } from '../documents.ts';
import { hashSecret, verifySecret } from '../secret-hash.ts';
import { csrfField } from './csrf.ts';
import { markup, redirectTo, sendErrorPage, sendPage } from './html.ts';
import type { Session, Sessions } from './session.ts';
import { enterStep, nextStep, PATHS, postedForm } from './steps.ts';
import { loginThrottle } from './throttle.ts';

export const SIGN_IN_FAILED = 'Sign-in failed or is temporarily locked';

export function loginPage(engine: Engine, sessions: Sessions) {
  const throttle = loginThrottle(engine);
  const users = engine.collection<UserDocument>(AUTH_USERS);
  let dummyHash: Promise<string> | undefined;

  function show(ctx: Context, session: Session, status: number, error?: string): void {
    const { clientName, redirectUri } = session.doc.request!;
    const body = markup`<p>Sign in to let <strong>${clientName}</strong> access this server.</p>
      ${error ? markup`<p class="error" role="alert">${error}</p>` : ''}
      <form method="post" action="${PATHS.login}">
        ${csrfField(session)}
        <label for="username">Username</label><input id="username" name="username" autocomplete="username" required />
        <label for="password">Password</label
        ><input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">Sign in</button>
      </form>`;
    sendPage(ctx, status, 'Sign in', body, redirectUri);
  }

  /** The active user whose password this is, or undefined; every attempt counts as a failure until it succeeds. */
  async function authenticate(username: string, password: string): Promise<UserDocument | undefined> {
    const key = username.trim().toLowerCase();
    if (!(await throttle.admit(key))) return undefined;
    const user = key ? await users.findOne({ usernameKey: key }) : undefined;
    dummyHash ??= hashSecret('not a password of anyone');
    const valid = await verifySecret(password, user?.passwordHash ?? (await dummyHash));
    if (!user || !valid || !user.active) return undefined;
    await throttle.recordSuccess(key);
    return user;
  }

  return {
    async get(ctx: Context): Promise<void> {
      const state = await enterStep(ctx, sessions, 'login');
      if (state) show(ctx, state.session, 200);
    },

    async post(ctx: Context): Promise<void> {
      const state = await postedForm(ctx, sessions, 'login');
      if (!state) return;
      const { session, request, form } = state;
      const user = await authenticate(form.get('username') ?? '', form.get('password') ?? '');
      if (!user) return show(ctx, session, 200, SIGN_IN_FAILED);
      // A patient speaks for their own record only: it is always the patient in context, and a launch naming
      // another patient's record cannot give a patient account patient/ scopes on it.
      const own = /^Patient\/(.+)$/.exec(user.fhirUser)?.[1];
      if (own && request.patient && request.patient !== own) {
        await sessions.finish(session);
        return sendErrorPage(ctx, 403, "This launch opens another patient's record; sign in with a staff account.");
      }
      const next = own ? { ...request, patient: own } : request;
      const signedIn = await sessions.renew(ctx, session, next, user._id);
      redirectTo(ctx, PATHS[nextStep(signedIn.doc)], request.redirectUri);
    },
  };
}
