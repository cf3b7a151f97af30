/**
 * The loader authenticates as a client (authorization is always on): `FHIRLINE_TOKEN` (a bearer token got
 * elsewhere), or `FHIRLINE_CLIENT_ID` + `FHIRLINE_CLIENT_SECRET` of a client_credentials client, for which it asks
 * the token endpoint the server advertises (SMART discovery, `[base]/.well-known/smart-configuration`). From the
 * environment, not flags, so that secrets stay out of shell history and process lists.
 */
export async function loadAuthorization(baseUrl: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.FHIRLINE_TOKEN) return `Bearer ${env.FHIRLINE_TOKEN}`;
  const clientId = env.FHIRLINE_CLIENT_ID;
  const clientSecret = env.FHIRLINE_CLIENT_SECRET;
  if (!clientId || !clientSecret) return undefined;
  // A server that cannot be reached is the loader's to report (it stops at the first Bundle it cannot post).
  const discovery = await fetch(`${baseUrl}/.well-known/smart-configuration`).catch(() => undefined);
  if (!discovery) return undefined;
  if (!discovery.ok) throw new Error(`${baseUrl}/.well-known/smart-configuration answered ${discovery.status}`);
  const { token_endpoint: tokenEndpoint } = (await discovery.json()) as { token_endpoint?: string };
  if (!tokenEndpoint) throw new Error('the server advertises no token_endpoint');
  // RFC 6749 §2.3.1: client_secret_basic, both parts form-urlencoded.
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  const res = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/*.*' }).toString(),
  });
  const answer = (await res.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
  if (!res.ok || !answer.access_token) {
    throw new Error(
      `the token endpoint refused FHIRLINE_CLIENT_ID: ${answer.error ?? res.status} ${answer.error_description ?? ''}`.trim(),
    );
  }
  return `Bearer ${answer.access_token}`;
}
