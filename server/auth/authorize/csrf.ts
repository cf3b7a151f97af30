/**
 * CSRF: every form carries the session's token in a hidden `csrf` field and every post must send it back
 * (https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html,
 * synchronizer token); SameSite=Lax on the cookie is the second layer.
 */
import { markup, type SafeHtml } from './html.ts';
import { sameSecret } from './random-id.ts';
import type { Session } from './session.ts';

export const CSRF_FIELD = 'csrf';

export function csrfField(session: Session): SafeHtml {
  return markup`<input type="hidden" name="${CSRF_FIELD}" value="${session.doc.csrf}" />`;
}

/** True when the posted form carries this session's token. */
export function csrfValid(session: Session | undefined, form: URLSearchParams): boolean {
  const sent = form.getAll(CSRF_FIELD);
  return session !== undefined && sent.length === 1 && sameSecret(sent[0]!, session.doc.csrf);
}
