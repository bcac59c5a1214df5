// Header rewriting at the hop, after Go's net/http/httputil.ReverseProxy (which Tyk uses).

/** Headers meaningful only for one connection (RFC 9110 7.6.1), plus the non-standard ones Go also drops. */
const HOP_BY_HOP = new Set([
  "connection",
  "proxy-connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "trailers",
  "transfer-encoding",
  "upgrade",
]);

/** Predicate over lower-case header names: the fixed hop-by-hop set plus the names listed in this message's Connection header. */
function hopByHop(connection: string | null | undefined): (lowerName: string) => boolean {
  if (!connection) return (name) => HOP_BY_HOP.has(name);
  const listed = new Set(connection.split(",").map((t) => t.trim().toLowerCase()));
  return (name) => HOP_BY_HOP.has(name) || listed.has(name);
}

/** The client's headers as the upstream must see them: no hop-by-hop headers, Host rewritten, X-Forwarded-For appended. */
export function upstreamRequestHeaders(
  client: Headers,
  target: URL,
  clientIp: string,
  preserveHost: boolean,
): Record<string, string> {
  const drop = hopByHop(client.get("connection"));
  const out: Record<string, string> = {};
  for (const [name, value] of client) if (!drop(name)) out[name] = value;
  // Without preserveHost, or when the client sent none, the upstream sees its own host (as Go's req.Host = "").
  if (!preserveHost || !out.host) out.host = target.host;
  if (clientIp) out["x-forwarded-for"] = out["x-forwarded-for"] ? `${out["x-forwarded-for"]}, ${clientIp}` : clientIp;
  return out;
}

/** Response headers from node:http's flat [name, value, ...] list, hop-by-hop ones left out; repeats (Set-Cookie) kept. */
export function responseHeadersFromRaw(raw: readonly string[]): Headers {
  const connection: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i].toLowerCase() === "connection") connection.push(raw[i + 1]);
  const drop = hopByHop(connection.join(","));
  const out = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) if (!drop(raw[i].toLowerCase())) out.append(raw[i], raw[i + 1]);
  return out;
}

/** A copy of a fetch Response's headers, hop-by-hop ones left out. */
export function responseHeadersFrom(headers: Headers): Headers {
  const drop = hopByHop(headers.get("connection"));
  const out = new Headers();
  for (const [name, value] of headers) if (!drop(name)) out.append(name, value);
  return out;
}

/** Responses that carry no body whatever their headers say (a Response with a body and one of these statuses throws). */
export function hasNoBody(method: string, status: number): boolean {
  return method === "HEAD" || status === 204 || status === 205 || status === 304;
}
