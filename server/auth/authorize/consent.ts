/**
 * The consent page: `GET /oauth2/consent` lists what will be granted in words, `POST /oauth2/consent` with
 * `decision=allow` creates the authorization code and sends the browser back to the app with `code` and `state`;
 * `decision=deny` sends `error=access_denied` (RFC 6749 §4.1.2, §4.1.2.1).
 */
import type { Context } from 'koa';
import type { Engine } from '../../engine/index.ts';
import { AUTH_CODES, AUTH_USERS, type AuthorizationCodeDocument, type UserDocument } from '../documents.ts';
import { csrfField } from './csrf.ts';
import { markup, redirectTo, sendErrorPage, sendPage } from './html.ts';
import { randomToken, sha256Hex } from './random-id.ts';
import { redirectWith } from './request.ts';
import { describeScope } from './scope-words.ts';
import type { PendingRequest, Sessions } from './session.ts';
import { enterStep, PATHS, postedForm } from './steps.ts';

/** RFC 9700 §2.1.1 / SMART: a code lives at most 60 seconds. */
export const CODE_MS = 60 * 1000;

export function consentPage(engine: Engine, sessions: Sessions) {
  const users = engine.collection<UserDocument>(AUTH_USERS);
  const codes = engine.collection<AuthorizationCodeDocument>(AUTH_CODES);

  async function issueCode(request: PendingRequest, userId: string): Promise<string> {
    const code = randomToken();
    const doc: AuthorizationCodeDocument = {
      _id: sha256Hex(code),
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      userId,
      scope: request.scope,
      ...(request.patient && { patient: request.patient }),
      ...(request.encounter && { encounter: request.encounter }),
      ...(request.nonce && { nonce: request.nonce }),
      expires: new Date(Date.now() + CODE_MS).toISOString(),
      used: false,
    };
    await codes.write([codes.insert(doc)]);
    return code;
  }

  return {
    async get(ctx: Context): Promise<void> {
      const state = await enterStep(ctx, sessions, 'consent');
      if (!state) return;
      const { session, request } = state;
      const user = await users.findOne({ _id: session.doc.userId! });
      const patientUser = user?.fhirUser.startsWith('Patient/') ?? false;
      const items = request.scope.split(' ').map((s) => markup`<li>${describeScope(s, patientUser)} <small>(${s})</small></li>`);
      const context = request.patient && !patientUser ? markup`<p>Selected patient: Patient/${request.patient}</p>` : '';
      const body = markup`<p><strong>${request.clientName}</strong> asks to:</p>
        <ul>
          ${items}
        </ul>
        ${context}
        <form method="post" action="${PATHS.consent}">
          ${csrfField(session)}
          <button type="submit" name="decision" value="allow">Allow</button>
          <button type="submit" name="decision" value="deny">Deny</button>
        </form>`;
      sendPage(ctx, 200, 'Allow access?', body, request.redirectUri);
    },

    async post(ctx: Context): Promise<void> {
      const state = await postedForm(ctx, sessions, 'consent');
      if (!state) return;
      const { session, request, form } = state;
      const decision = form.get('decision');
      if (decision !== 'allow' && decision !== 'deny') return sendErrorPage(ctx, 400, 'Choose Allow or Deny.');
      // Deactivated since signing in: no code (the token endpoint checks again when it is exchanged).
      if (decision === 'allow' && !(await users.findOne({ _id: session.doc.userId!, active: true }))) {
        await sessions.finish(session);
        return sendErrorPage(ctx, 403, 'This account cannot grant access.');
      }
      if (!(await sessions.finish(session))) return sendErrorPage(ctx, 400, 'This request has already been answered.');
      if (decision === 'deny') {
        const target = redirectWith(request.redirectUri, {
          error: 'access_denied',
          error_description: 'The user denied access',
          state: request.state,
        });
        return redirectTo(ctx, target, request.redirectUri);
      }
      const code = await issueCode(request, session.doc.userId!);
      redirectTo(ctx, redirectWith(request.redirectUri, { code, state: request.state }), request.redirectUri);
    },
  };
}
