// Error answers in Tyk's shape and words, so clients written against Tyk
// see the same status codes and bodies.

export const TykMessage = {
  authFieldMissing: "Authorization field missing",
  keyNotAuthorized: "Access to this API has been disallowed",
  keyExpired: "Key has expired, please renew",
  keyInactive: "Key is inactive, please renew",
  sessionMissing: "Session state is missing or unset! Please make sure that auth headers are properly applied",
  resourceDisallowed: "Access to this resource has been disallowed",
  /** Since Tyk 5.4 (earlier: "Rate limit exceeded"). */
  rateLimited: "Rate Limit Exceeded",
  apiRateLimited: "API Rate Limit Exceeded",
  quotaExceeded: "Quota exceeded",
  internal: "Internal Server Error",
  proxyFailed: "There was a problem proxying the request",
  upstreamTimeout: "Upstream service reached hard timeout.",
  notFound: "Not Found",
} as const;

// The gateway's own error answers, as opposed to answers from upstreams and plugins.
const gatewayErrors = new WeakSet<Response>();

/** Tyk's default error template renders `{"error": "<message>"}` indented by four spaces. */
export function tykError(status: number, message: string, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  const res = new Response(`{\n    "error": ${JSON.stringify(message)}\n}`, { status, headers: h });
  gatewayErrors.add(res);
  return res;
}

/** True for an answer tykError made (Tyk adds quota headers only to answers it proxied, never to its own errors). */
/**
 * Go's net/http answer to a request it cannot take, before any handler runs
 * (Tyk answers these from Go's server): 400, plain text "400 Bad Request"
 * plus ": reason" when Go gives one, and the connection closed.
 */
export function httpBadRequest(reason?: string): Response {
  return new Response(reason ? `400 Bad Request: ${reason}` : "400 Bad Request", {
    status: 400,
    headers: { "content-type": "text/plain; charset=utf-8", connection: "close" },
  });
}

export function isGatewayError(res: Response): boolean {
  return gatewayErrors.has(res);
}

/** The Gateway API's status shape: {"status": "error", "message": "..."}. */
export function apiStatus(status: number, body: Record<string, unknown>): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}
