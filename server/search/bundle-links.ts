/**
 * The `link`s of a searchset or history Bundle (https://hl7.org/fhir/R4/http.html#paging): `self`, `first`,
 * `previous`, `next`, each the base URL with its query pairs; paging links add the opaque `_page` token.
 */
import type { BundleLink } from '@medplum/fhirtypes';

export type QueryPairs = [string, string][];

export interface LinkParts {
  /** The query of the `self` link (the request as it was run, with its `_page` when it had one). */
  self: QueryPairs;
  /** The query every paging link starts from (no `_page`). */
  query: QueryPairs;
  /** Whether to give a `first` link. */
  first: boolean;
  /** Page tokens of the neighbouring pages, when there are such pages. */
  previous?: string;
  next?: string;
}

export function bundleLinks(base: string, parts: LinkParts): BundleLink[] {
  const url = (pairs: QueryPairs) => {
    const q = new URLSearchParams(pairs).toString();
    return q ? `${base}?${q}` : base;
  };
  const link: BundleLink[] = [{ relation: 'self', url: url(parts.self) }];
  if (parts.first) link.push({ relation: 'first', url: url(parts.query) });
  if (parts.previous) link.push({ relation: 'previous', url: url([...parts.query, ['_page', parts.previous]]) });
  if (parts.next) link.push({ relation: 'next', url: url([...parts.query, ['_page', parts.next]]) });
  return link;
}
