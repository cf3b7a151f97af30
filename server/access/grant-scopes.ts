/**
 * PLACEHOLDER (the `access` engineer writes the real one; the merge takes theirs): the requested scopes narrowed
 * to what `allowed` covers. Here: those present verbatim in `allowed`.
 */
export function grantScopes(requested: string, allowed: string): string {
  const permitted = new Set(allowed.split(/\s+/).filter(Boolean));
  return requested
    .split(/\s+/)
    .filter((s) => s && permitted.has(s))
    .join(' ');
}
