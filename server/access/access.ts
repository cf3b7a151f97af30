/**
 * What a principal may do, compiled once per grant (compile-access.ts) and applied by the read and write paths:
 * every query ANDs `filter(type, interaction)` in, every write checks its old and new version against it, so no
 * path around the rules exists (README.md). Interactions are SMART v2's (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html#scopes-for-requesting-fhir-resources):
 * `c` create, `r` read/vread/instance history, `u` update/patch, `d` delete, `s` search and type/system history.
 */
import type { Filter } from '../store/port.ts';

export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';

export interface Access {
  /** A part of Fhirline itself (HL7 listener, jobs) or the bench bypass: every filter is `{}`. */
  readonly unrestricted: boolean;
  /** May use admin operations (`$reindex`, `/admin/...`). */
  readonly admin: boolean;
  /**
   * The filter over `resources` documents (search-value fields, `_id`; never `resourceType`/`deleted`, which the
   * caller adds) that selects what `interaction` may touch on `type`: `{}` everything, undefined nothing at all
   * (the caller answers 403 naming `missingScope`, or, inside includes and chains, matches nothing).
   */
  filter(type: string, interaction: Interaction): Filter | undefined;
  /** Top-level elements removed from every resource of `type` shown to this principal (a policy's `hiddenElements`). */
  hiddenElements(type: string): readonly string[];
  /**
   * When only some elements may change in an update (a nurse sets a Task's status): those element names, else
   * undefined (any change the filters allow).
   */
  writableElements(type: string): readonly string[] | undefined;
  /** For a 403: the scope that would have allowed it, e.g. `user/Observation.c`. */
  missingScope(type: string, interaction: Interaction): string;
}

export const UNRESTRICTED: Access = {
  unrestricted: true,
  admin: true,
  filter: () => ({}),
  hiddenElements: () => [],
  writableElements: () => undefined,
  missingScope: (type, interaction) => `system/${type}.${interaction}`,
};

/** No credentials: nothing at all (routes that are open never reach the engine). */
export const NO_ACCESS: Access = {
  unrestricted: false,
  admin: false,
  filter: () => undefined,
  hiddenElements: () => [],
  writableElements: () => undefined,
  missingScope: (type, interaction) => `system/${type}.${interaction}`,
};
