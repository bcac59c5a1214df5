// Error answers in Tyk's shape and words, so clients written against Tyk
// see the same status codes and bodies.

export const TykMessage = {
  authFieldMissing: "Authorization field missing",
  keyNotAuthorized: "Access to this API has been disallowed",
  keyExpired: "Key has expired, please renew",
  rateLimited: "Rate limit exceeded",
  quotaExceeded: "Quota exceeded",
  internal: "Internal Server Error",
  proxyFailed: "There was a problem proxying the request",
  upstreamTimeout: "Upstream service reached hard timeout.",
  tooLarge: "Request is too large",
  notFound: "Not Found",
} as const;

/** Tyk's default error template renders `{"error": "<message>"}` indented by four spaces. */
export function tykError(status: number, message: string, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  return new Response(`{\n    "error": ${JSON.stringify(message)}\n}`, { status, headers: h });
}

/** The Gateway API's status shape: {"status": "error", "message": "..."}. */
export function apiStatus(status: number, body: Record<string, unknown>): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}
