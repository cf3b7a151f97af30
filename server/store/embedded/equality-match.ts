/**
 * Matching without compiling a mingo Query for the filters of lookups and preconditions (`{versionId: 3}`, a
 * type, `deleted: false` and an identifier token): compiling costs tens of microseconds, the test itself far less.
 */
import { Query } from 'mingo';
import type { Filter, StoredDocument } from '../port.ts';

export type Matcher = (doc: StoredDocument) => boolean;

type Scalar = string | number | boolean;

/** How documents are tested against `filter`, with MongoDB semantics. */
export function matcherOf(filter: Filter): Matcher {
  const equalities = equalityMatcher(filter);
  if (equalities) return equalities;
  const query = new Query(filter);
  return (doc) => query.test(doc);
}

/**
 * A filter made only of equalities of top-level fields to a string, boolean or finite number (also inside
 * `$and`s): a field matches when its value is that value or an array holding it, as MongoDB equality (mingo
 * `$eq` on a path without dots: no deeper array is searched). Undefined for any other filter.
 */
export function equalityMatcher(filter: Filter): Matcher | undefined {
  const fields: string[] = [];
  const values: Scalar[] = [];
  if (!collect(filter, fields, values)) return undefined;
  return (doc) => {
    for (let i = 0; i < fields.length; i++) {
      const v = doc[fields[i]];
      if (v !== values[i] && !(Array.isArray(v) && v.includes(values[i]))) return false;
    }
    return true;
  };
}

function collect(filter: unknown, fields: string[], values: Scalar[]): boolean {
  if (filter === null || typeof filter !== 'object' || Object.getPrototypeOf(filter) !== Object.prototype) return false;
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and') {
      if (!Array.isArray(cond) || !cond.every((sub) => collect(sub, fields, values))) return false;
    } else if (isPlainField(field) && isScalar(cond)) {
      fields.push(field);
      values.push(cond);
    } else {
      return false;
    }
  }
  return true;
}

/** A top-level field mingo reads as it is: no path, no operator, not the prototype. */
function isPlainField(field: string): boolean {
  return field.length > 0 && !field.includes('.') && !field.startsWith('$') && field !== '__proto__';
}

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}
