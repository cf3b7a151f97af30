/**
 * `/admin/users`: the people who sign in. Passwords of at least 12 characters, stored as scrypt hashes with a
 * per-user salt (secret-hash.ts) and never shown; roles from principal.ts; `fhirUser` the Practitioner, Patient
 * or RelatedPerson the account speaks for (a `patient` account must point at a Patient). Deactivating, deleting
 * or a new password kills the user's tokens at once (`tokensNotBefore`, and this process's token cache).
 */
import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { badRequest, conflict, notFound } from '../../errors/fhir-error.ts';
import { ROLES, type Role } from '../../engine/principal.ts';
import { PreconditionFailedError } from '../../store/port.ts';
import type { UserDocument } from '../documents.ts';
import { AUTH_USERNAMES } from '../auth-collections.ts';
import { nowSeconds, type AuthContext } from '../context.ts';
import { hashSecret } from '../secret-hash.ts';
import { jsonObject, refuseUnknown, requireAdmin, sendPlainJson, serveReads } from './admin-request.ts';

const MIN_PASSWORD = 12;
const FHIR_USER = /^(Practitioner|Patient|RelatedPerson)\/[A-Za-z0-9\-.]{1,64}$/;
const USERNAME = /^[A-Za-z0-9._@+-]{1,100}$/;

export function userView(u: UserDocument): Record<string, unknown> {
  return { id: u._id, username: u.username, role: u.role, fhirUser: u.fhirUser, active: u.active, created: u.created, updated: u.updated };
}

function role(value: unknown): Role {
  if (typeof value !== 'string' || !(ROLES as readonly string[]).includes(value)) {
    throw badRequest(`role must be one of ${ROLES.join(', ')}`, 'role');
  }
  return value as Role;
}

function fhirUser(value: unknown): string {
  if (typeof value !== 'string' || !FHIR_USER.test(value)) {
    throw badRequest('fhirUser must be Practitioner/<id>, Patient/<id> or RelatedPerson/<id>', 'fhirUser');
  }
  return value;
}

async function password(value: unknown): Promise<string> {
  if (typeof value !== 'string' || [...value].length < MIN_PASSWORD) {
    throw badRequest(`password must be at least ${MIN_PASSWORD} characters`, 'password');
  }
  return hashSecret(value);
}

function consistent(r: Role, user: string): void {
  if (r === 'patient' && !user.startsWith('Patient/')) throw badRequest('A patient account must have fhirUser Patient/<id>', 'fhirUser');
}

export function usersRouter(context: AuthContext): Router {
  const router = new Router({ prefix: '/admin/users' });
  const { users, usernames } = context.collections;
  const found = async (id: string) => {
    const user = await users.findOne({ _id: id });
    if (!user || user.deleted) throw notFound(`No user ${id}`);
    return user;
  };
  /** Tokens issued up to this second die (iat is whole seconds). */
  const cutoff = () => nowSeconds(context) + 1;

  router.post('/', async (ctx) => {
    requireAdmin(ctx);
    const body = await jsonObject(context, ctx);
    refuseUnknown(body, ['username', 'password', 'role', 'fhirUser', 'active']);
    if (typeof body.username !== 'string' || !USERNAME.test(body.username)) {
      throw badRequest('username must be 1-100 letters, digits or . _ @ + -', 'username');
    }
    const r = role(body.role);
    const fu = fhirUser(body.fhirUser);
    consistent(r, fu);
    if (body.active !== undefined && typeof body.active !== 'boolean') throw badRequest('active must be true or false', 'active');
    const key = body.username.toLowerCase();
    const taken = await usernames.findOne({ _id: key });
    if (taken?.userId) throw conflict(`The username ${body.username} is taken`);
    const now = new Date(context.now()).toISOString();
    const doc: UserDocument = {
      _id: randomUUID(),
      username: body.username,
      usernameKey: key,
      passwordHash: await password(body.password),
      role: r,
      fhirUser: fu,
      active: body.active !== false,
      created: now,
      updated: now,
    };
    try {
      // The name's guard and the user in one unit, so two creates of one name cannot both win.
      await context.store.write([
        { op: 'replace', collection: AUTH_USERNAMES, doc: { _id: key, userId: doc._id }, expect: taken ? { userId: null } : null },
        users.insert(doc),
      ]);
    } catch (err) {
      if (err instanceof PreconditionFailedError) throw conflict(`The username ${body.username} is taken`);
      throw err;
    }
    sendPlainJson(ctx, 201, userView(doc));
  });

  serveReads(router, users, found, userView);

  router.delete('/:id', async (ctx) => {
    requireAdmin(ctx);
    const user = await found(ctx.params.id);
    const tombstone: UserDocument = {
      ...user,
      usernameKey: `\u0000deleted ${user._id}`,
      passwordHash: '',
      active: false,
      deleted: true,
      tokensNotBefore: cutoff(),
      updated: new Date(context.now()).toISOString(),
    };
    await context.store.write([
      users.replace(tombstone),
      { op: 'replace', collection: AUTH_USERNAMES, doc: { _id: user.usernameKey, userId: null } },
    ]);
    context.cache.invalidate({ userId: user._id });
    ctx.status = 204;
  });

  router.patch('/:id', async (ctx) => {
    requireAdmin(ctx);
    const user = await found(ctx.params.id);
    const body = await jsonObject(context, ctx);
    refuseUnknown(body, ['role', 'password', 'active']);
    const next: UserDocument = { ...user, updated: new Date(context.now()).toISOString() };
    if (body.role !== undefined) next.role = role(body.role);
    consistent(next.role, next.fhirUser);
    if (body.password !== undefined) {
      next.passwordHash = await password(body.password);
      next.tokensNotBefore = cutoff(); // a new password signs the user out everywhere
    }
    if (body.active !== undefined) {
      if (typeof body.active !== 'boolean') throw badRequest('active must be true or false', 'active');
      next.active = body.active;
      if (!body.active) next.tokensNotBefore = cutoff();
    }
    await users.write([users.replace(next, { updated: user.updated })]);
    context.cache.invalidate({ userId: user._id });
    sendPlainJson(ctx, 200, userView(next));
  });

  return router;
}
