// A request's body as the gateway takes it in, before any API step runs:
// framing per RFC 9112, and http_server_options.max_request_body_size as Tyk
// applies it (413 before anything goes upstream).

import { BodyBudgetError, type BodyHold, BodyTooLargeError, declaredLength, readHeldBody } from "../gateway/body.ts";
import { httpBadRequest, tykError } from "../gateway/errors.ts";
import type { RequestState } from "../gateway/state.ts";

/**
 * Tyk's answer to a body over max_request_body_size (Go's http.Error). Go
 * then closes the connection after a pause that lets the client read the
 * answer; Bun.serve, told to close, closes at once, and a client still
 * sending then loses the answer to the reset. So the connection is kept,
 * and the rest of the body read and dropped first (readHeldBody).
 */
export function entityTooLarge(): Response {
  return new Response("Request Entity Too Large\n", {
    status: 413,
    headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
  });
}

/**
 * Deno.serve and Bun.serve read and drop the body of a GET or HEAD request
 * (their Request for these methods has none, and neither offers a way to
 * it), so the gateway cannot forward one as Tyk does; it says so instead of
 * sending the request on without it.
 */
const BODILESS_METHODS = new Set(["GET", "HEAD"]);

/**
 * Takes in a request's body: `headers` is the gateway's copy of the
 * request's headers (a Content-Length repeated with one value, which RFC 9112
 * allows, is collapsed to that value in it). Resolves to the body to send on
 * (null: none), or to the Response that ends the request: 400 for Content-Length
 * values that differ, 501 for a GET or HEAD with a body, 413 for a body over
 * `maxRequestBodySize` (bytes, 0 = none). With a limit, a body of unknown
 * length (chunked) is read whole first, as Tyk reads it, so an oversized one
 * is refused before anything goes upstream (counted against `hold`: 503 when
 * the bodies held by all requests leave no room); a declared length is
 * checked and the body streamed (the server delivers exactly that many bytes).
 */
export async function admitBody(
  raw: Request,
  headers: Headers,
  maxRequestBodySize: number,
  hold: BodyHold,
): Promise<RequestState["body"] | Response> {
  let declared: number | undefined;
  const cl = headers.get("content-length");
  if (cl !== null) {
    const values = cl.split(",").map((v) => v.trim());
    declared = declaredLength(values[0]);
    if (declared === undefined || values.some((v) => v !== values[0])) return httpBadRequest();
    if (values.length > 1) headers.set("content-length", values[0]);
  }
  if (BODILESS_METHODS.has(raw.method) && ((declared ?? 0) > 0 || headers.has("transfer-encoding"))) {
    return tykError(501, `A body on a ${raw.method} request is not supported by this gateway`);
  }
  if (maxRequestBodySize <= 0 || raw.body === null) return raw.body;
  if (declared !== undefined) return declared > maxRequestBodySize ? entityTooLarge() : raw.body;
  try {
    return await readHeldBody(raw.body, maxRequestBodySize, hold, "drain");
  } catch (err) {
    if (err instanceof BodyTooLargeError) return entityTooLarge();
    if (err instanceof BodyBudgetError) return tykError(503, "Service Unavailable");
    throw err;
  }
}
