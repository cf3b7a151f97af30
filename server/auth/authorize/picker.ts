/**
 * The patient picker of a standalone launch with `launch/patient`
 * (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html#launch-context-arrives-with-your-access_token):
 * a practitioner searches by name and chooses. `GET /oauth2/patient` shows the search form; `POST
 * /oauth2/patient` with `name` lists up to 20 matches, with `patient` (an id) chooses one.
 */
import type { Bundle, HumanName, Patient } from '@medplum/fhirtypes';
import type { Context } from 'koa';
import { compileAccess } from '../../access/compile-access.ts';
import { ANONYMOUS, type Engine, type Principal } from '../../engine/index.ts';
import type { Store } from '../../store/port.ts';
import { AUTH_USERS, type UserDocument } from '../documents.ts';
import { csrfField } from './csrf.ts';
import { markup, redirectTo, sendPage, type SafeHtml } from './html.ts';
import type { Session, Sessions } from './session.ts';
import { enterStep, nextStep, PATHS, postedForm } from './steps.ts';

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const MAX_NAME = 200;

/**
 * Whose eyes search: the signed-in user's, with the role policy's Patient permissions (there is no token yet), so
 * the picker lists and accepts only patients that user may see.
 */
async function searcher(engine: Engine, store: Store, session: Session): Promise<Principal> {
  const user = session.doc.userId ? await engine.collection<UserDocument>(AUTH_USERS).findOne({ _id: session.doc.userId }) : undefined;
  if (!user || !user.active) return ANONYMOUS;
  const scope = 'user/Patient.rs';
  const access = await compileAccess(
    { store, baseUrl: engine.config.baseUrl },
    { scope, clientScope: scope, role: user.role, fhirUser: user.fhirUser, admin: false },
  );
  return { kind: 'user', name: `user/${user.username}`, access, userId: user._id, role: user.role, fhirUser: user.fhirUser };
}

export function pickerPage(engine: Engine, store: Store, sessions: Sessions) {
  function show(ctx: Context, session: Session, name: string, results?: SafeHtml, error?: string): void {
    const body = markup`<p>Choose the patient whose record <strong>${session.doc.request!.clientName}</strong> will open.</p>
      ${error ? markup`<p class="error" role="alert">${error}</p>` : ''}
      <form method="post" action="${PATHS.patient}">
        ${csrfField(session)}
        <label for="name">Patient name</label><input id="name" name="name" value="${name}" required />
        <button type="submit">Search</button>
      </form>
      ${results ?? ''}`;
    sendPage(ctx, 200, 'Choose a patient', body, session.doc.request!.redirectUri);
  }

  async function search(session: Session, name: string): Promise<SafeHtml> {
    const bundle = (await engine.search(
      await searcher(engine, store, session),
      'Patient',
      new URLSearchParams({ name, _count: '20' }).toString(),
    )) as Bundle;
    const patients = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Patient => r?.resourceType === 'Patient' && !!r.id);
    if (patients.length === 0) return markup`<p>No patient found with that name.</p>`;
    const rows = patients.map(
      (p) =>
        markup`<li>
          <form class="inline" method="post" action="${PATHS.patient}">
            ${csrfField(session)}<input type="hidden" name="patient" value="${p.id!}" /><button type="submit">
              ${displayName(p.name)}
            </button>
          </form>
          born ${p.birthDate ?? 'unknown'}, Patient/${p.id!}
        </li>`,
    );
    return markup`<ul>
      ${rows}
    </ul>`;
  }

  return {
    async get(ctx: Context): Promise<void> {
      const state = await enterStep(ctx, sessions, 'patient');
      if (state) show(ctx, state.session, '');
    },

    async post(ctx: Context): Promise<void> {
      const state = await postedForm(ctx, sessions, 'patient');
      if (!state) return;
      const { session, request, form } = state;
      const chosen = form.get('patient');
      if (chosen !== null) {
        const found =
          ID.test(chosen) &&
          (await engine.findOne(await searcher(engine, store, session), 'Patient', new URLSearchParams({ _id: chosen }).toString()));
        if (!found) return show(ctx, session, '', undefined, 'That patient cannot be chosen.');
        session.doc.request = { ...request, patient: chosen };
        await sessions.save(session);
        return redirectTo(ctx, PATHS[nextStep(session.doc)], request.redirectUri);
      }
      const name = (form.get('name') ?? '').trim();
      if (!name || name.length > MAX_NAME) return show(ctx, session, '', undefined, `Enter a name of 1 to ${MAX_NAME} characters.`);
      show(ctx, session, name, await search(session, name));
    },
  };
}

function displayName(names: HumanName[] | undefined): string {
  const n = names?.find((x) => x.use === 'official') ?? names?.[0];
  if (!n) return '(no name)';
  return n.text ?? ([...(n.given ?? []), n.family].filter(Boolean).join(' ') || '(no name)');
}
