/**
 * Sets headers on a response (replacing any of the same name, as Go's Header.Set), rebuilding it when its headers
 * are immutable (e.g. from fetch).
 */
export function withHeaders(res: Response, extra: Headers | Record<string, string>): Response {
  const entries = extra instanceof Headers ? [...extra] : Object.entries(extra);
  if (entries.length === 0) return res;
  try {
    for (const [k, v] of entries) res.headers.set(k, v);
    return res;
  } catch {
    const headers = new Headers(res.headers);
    for (const [k, v] of entries) headers.set(k, v);
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  }
}
