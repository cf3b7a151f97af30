/**
 * Conditional read (https://hl7.org/fhir/R4/http.html#cread): `If-None-Match` (a version ETag or `*`) and
 * `If-Modified-Since` answer 304 when the client's copy is current. Pure, shared by REST reads and the GET
 * entries of batches and transactions.
 */
export function notModified(
  ifNoneMatch: string | undefined,
  ifModifiedSince: string | undefined,
  versionId: number,
  lastUpdated: string,
): boolean {
  if (ifNoneMatch) {
    return ifNoneMatch.split(',').some((tag) => {
      const t = tag.trim();
      return t === '*' || t.replace(/^W\//, '').replace(/"/g, '') === String(versionId);
    });
  }
  if (ifModifiedSince) {
    const since = Date.parse(ifModifiedSince);
    // HTTP dates have second precision: compare at that precision.
    return !Number.isNaN(since) && Math.floor(Date.parse(lastUpdated) / 1000) * 1000 <= since;
  }
  return false;
}
