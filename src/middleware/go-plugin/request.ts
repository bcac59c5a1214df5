// Translating between a request's state and a plugin call.
import type { CallRequest, CallResult } from "../../../ffi/wire.ts";
import { bufferedBody, type RequestState, requestUri } from "../../gateway/state.ts";
import { hasNoBody } from "../../proxy/index.ts";

export function callRequest(st: RequestState): CallRequest | Promise<CallRequest> {
  // Only a streamed body needs awaiting; most calls stay synchronous.
  if (st.body instanceof ReadableStream) return bufferedBody(st).then(() => callRequest(st));
  return {
    method: st.method,
    uri: st.absoluteUrl ? st.absoluteUrl.href : requestUri(st),
    host: st.host,
    proto: "HTTP/1.1",
    remoteAddr: `${st.clientIp}:${st.clientPort}`,
    authToken: st.authToken,
    // Go keeps Host out of r.Header (it is r.Host).
    headers: headerPairs(st.headers, "host"),
    session: st.session ? (st.sessionJson ??= JSON.stringify(st.session)) : undefined,
    body: st.body ?? undefined,
  };
}

/** Headers as the (name, value) pairs of a call frame, without `skip`. */
export function headerPairs(h: Headers, skip?: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  h.forEach((value, name) => name !== skip && pairs.push([name, value]));
  return pairs;
}

/** Applies what a plugin did to the request (not its own response). */
export function applyRequestChanges(st: RequestState, r: CallResult): void {
  if (r.method) st.method = r.method;
  if (r.uri !== undefined) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(r.uri)) st.absoluteUrl = new URL(r.uri);
    else {
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
  if (r.session) {
    st.session = JSON.parse(r.session);
    st.sessionJson = r.session;
  }
  if (r.sessionUpdate) st.sessionUpdate = true;
  if (r.authToken !== undefined) st.authToken = r.authToken;
  if (r.rwHeaders) mergeHeaderSet(st.responseHeaders, r.rwHeaders);
}

/** Replaces every name present in `pairs` with its values there. */
export function mergeHeaderSet(into: Headers, pairs: Array<[string, string]>): void {
  for (const name of new Set(pairs.map(([k]) => k))) into.delete(name);
  for (const [k, v] of pairs) into.append(k, v);
}

/**
 * The Content-Type Go's net/http would add to a plugin's answer that has a
 * body but no Content-Type (a small part of http.DetectContentType).
 */
export function sniffContentType(body: Uint8Array): string {
  const head = new TextDecoder().decode(body.subarray(0, 512)).trimStart().toLowerCase();
  if (/^<(!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--)[ >]/.test(head)) {
    return "text/html; charset=utf-8";
  }
  if (head.startsWith("<?xml")) return "text/xml; charset=utf-8";
  for (const byte of body.subarray(0, 512)) {
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b)) return "application/octet-stream";
  }
  return "text/plain; charset=utf-8";
}

/** The Response a plugin wrote, with the headers it (and earlier hooks) set. */
export function pluginResponse(st: RequestState, status: number, body: Uint8Array): Response {
  const headers = new Headers(st.responseHeaders);
  const empty = hasNoBody(st.method, status);
  if (!empty && body.length > 0 && !headers.has("content-type")) headers.set("content-type", sniffContentType(body));
  return new Response(empty ? null : (body as Uint8Array<ArrayBuffer>), { status, headers });
}
