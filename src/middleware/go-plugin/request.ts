// What a run of request hooks did, applied to the gateway's view of the request.
import type { HeaderPairs, RunResult } from "../../../ffi/wire.ts";
import type { RequestState } from "../../gateway/state.ts";
import { hasNoBody } from "../../proxy/index.ts";
import { parseSession } from "../../store/session.ts";

/**
 * Applies what hooks did to the request (not their own answer). Go knows all
 * of it already. `fetchSession` reads the twin's session, for when hooks may
 * have changed it in place.
 */
export function applyRequestChanges(st: RequestState, r: RunResult, fetchSession: () => string | undefined): void {
  if (r.method) st.method = r.method;
  if (r.uri !== undefined) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(r.uri)) st.absoluteUrl = new URL(r.uri);
    else {
      st.absoluteUrl = undefined;
      const q = r.uri.indexOf("?");
      st.path = q < 0 ? r.uri : r.uri.slice(0, q);
      st.query = q < 0 ? "" : r.uri.slice(q + 1);
    }
  }
  if (r.host !== undefined) {
    st.host = r.host;
    st.headers.set("host", r.host);
  }
  for (const [name, values] of r.headerChanges ?? []) {
    st.headers.delete(name);
    for (const v of values) st.headers.append(name, v);
  }
  if (r.body) {
    st.body = r.body;
    st.headers.set("content-length", String(r.body.length));
    st.headers.delete("transfer-encoding");
  }
  applySessionChanges(st, r, fetchSession);
  if (r.authToken !== undefined) st.authToken = r.authToken;
  // The ResponseWriter's headers live in Go across hooks: this is their whole set.
  if (r.rwHeaders) st.responseHeaders = new Headers(r.rwHeaders);
}

/** Applies what hooks did to the session: one they set, one they may have changed in place, a store write they asked for. */
export function applySessionChanges(st: RequestState, r: RunResult, fetchSession: () => string | undefined): void {
  if (r.session) {
    st.session = parseSession(r.session);
    st.sessionJson = r.session;
    st.goSessionFetch = undefined;
  } else if (r.sessionTouched) st.goSessionFetch = fetchSession;
  if (r.sessionUpdate) st.sessionUpdate = true;
}

/** The Response a plugin wrote, as Go formed it (status, headers, sniffed Content-Type). */
export function pluginResponse(st: RequestState, answer: { status: number; headers: HeaderPairs; body: Uint8Array }): Response {
  const empty = hasNoBody(st.method, answer.status);
  return new Response(empty ? null : (answer.body as Uint8Array<ArrayBuffer>), { status: answer.status, headers: answer.headers });
}
