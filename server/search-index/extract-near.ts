/**
 * Location `near` (https://hl7.org/fhir/R4/location.html#positional, search.html#special): `Location.position`
 * stored as one `cmp` tuple `{p: 'near', num: [{p: 'latitude'}, {p: 'longitude'}]}`, so that both coordinates
 * are tested on the same position with `$elemMatch` (server/search/compile-near.ts), like a composite's components.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { CompositeTuple } from '../store/documents.ts';

export function nearTuples(resource: Resource): CompositeTuple[] {
  if (resource.resourceType !== 'Location') return [];
  const { latitude, longitude } = resource.position ?? {};
  if (typeof latitude !== 'number' || typeof longitude !== 'number') return [];
  return [
    {
      p: 'near',
      num: [
        { p: 'latitude', lo: latitude, hi: latitude },
        { p: 'longitude', lo: longitude, hi: longitude },
      ],
    },
  ];
}
