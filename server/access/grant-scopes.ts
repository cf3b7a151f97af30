/**
 * PLACEHOLDER (the merge takes the real one from server/access/): narrows the requested scopes to what the client
 * may have, here the requested scopes present verbatim in `allowed`, in the order asked.
 */
export function grantScopes(requested: string, allowed: string): string {
  const may = new Set(allowed.split(/\s+/).filter(Boolean));
  return [...new Set(requested.split(/\s+/).filter(Boolean))].filter((s) => may.has(s)).join(' ');
}
