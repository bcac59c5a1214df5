// Detailed recording (an API's enable_detailed_recording, tyk.conf analytics_config.enable_detailed_recording, a
// key's enable_detailed_recording): a record's raw_request and raw_response hold the whole request and response,
// base64-encoded, written as Go's net/http writes them (Request.Write, Response.Write), which is how Tyk records them
// and what analytics plugins parse back (http.ReadRequest, http.ReadResponse).
import { Buffer } from "node:buffer";
import type { AnalyticsRecord } from "./record.ts";
import { declaredLength } from "../gateway/body.ts";

/** The most bytes of a response body a record copies; past it raw_response has the status line and headers only. */
export const MAX_RECORDED_BODY = 10 << 20;

/** The request as the gateway last had it (plugins' changes included). */
export interface RawRequestParts {
  method: string;
  /** Path and query. */
  uri: string;
  host: string;
  headers: Headers;
  /** The body, when the gateway held it; absent: none. */
  body?: Uint8Array;
}

/** The response as the client got it. */
export interface RawResponseParts {
  status: number;
  headers: Headers;
  body: Uint8Array;
  /** The request's method (Go decides on Content-Length by it). */
  method: string;
}

const utf8 = new TextEncoder();

/**
 * Fills `hit`'s raw_request now, and its raw_response once `res`'s body has passed to the client (copied on the
 * way, at most MAX_RECORDED_BODY bytes; a body cut short by the client or the upstream is recorded as far as it
 * went), then hands the record to `write`. Returns the response to send in place of `res`: same status, headers
 * and bytes, streamed as before.
 */
export function recordDetailed(
  hit: AnalyticsRecord,
  request: RawRequestParts,
  res: Response,
  write: (rec: AnalyticsRecord) => void,
): Response {
  hit.raw_request = rawRequest(request);
  const chunks: Uint8Array[] = [];
  let size = 0;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    const body = size <= MAX_RECORDED_BODY ? Buffer.concat(chunks) : new Uint8Array();
    hit.raw_response = rawResponse({ status: res.status, headers: res.headers, body, method: request.method });
    write(hit);
  };
  if (!res.body) {
    finish();
    return res;
  }
  const reader = res.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(ctl) {
      try {
        const { done: end, value } = await reader.read();
        if (end) {
          ctl.close();
          finish();
          return;
        }
        size += value.length;
        if (size <= MAX_RECORDED_BODY) chunks.push(value);
        ctl.enqueue(value);
      } catch (err) {
        finish();
        ctl.error(err);
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

// Go's http.Request.Write: the request line, Host, User-Agent, then Content-Length (or chunked framing), then every
// other header sorted by name, a blank line and the body.
const REQUEST_OWN = new Set(["host", "user-agent", "content-length", "transfer-encoding", "trailer"]);
// Go's http.Response.Write writes these from the body's framing, never from the header map.
const RESPONSE_OWN = new Set(["content-length", "transfer-encoding", "trailer"]);
// Methods whose messages say "Content-Length: 0" for an empty body (Go: "many servers expect" it).
const LENGTH_ALWAYS = new Set(["POST", "PUT", "PATCH"]);

/** Base64 of the request as Go's Request.Write writes it. */
export function rawRequest(p: RawRequestParts): string {
  const body = p.body ?? new Uint8Array();
  const declared = declaredLength(p.headers.get("content-length"));
  // A body of unknown length is sent chunked.
  const length = body.length === 0 ? 0 : declared ?? -1;
  let head = `${p.method || "GET"} ${p.uri} HTTP/1.1\r\nHost: ${p.host}\r\n`;
  const ua = p.headers.get("user-agent");
  if (ua !== "") head += `User-Agent: ${clean(ua ?? "Go-http-client/1.1")}\r\n`;
  if (length > 0 || (length === 0 && LENGTH_ALWAYS.has(p.method))) head += `Content-Length: ${length}\r\n`;
  else if (length < 0) head += "Transfer-Encoding: chunked\r\n";
  head += headerLines(p.headers, REQUEST_OWN) + "\r\n";
  return base64(head, length < 0 ? chunked(body) : body);
}

/** Base64 of the response as Go's Response.Write writes it. */
export function rawResponse(p: RawResponseParts): string {
  const declared = declaredLength(p.headers.get("content-length"));
  const length = declared ?? -1;
  let head = `HTTP/1.1 ${String(p.status).padStart(3, "0")} ${STATUS_TEXT[p.status] ?? `status code ${p.status}`}\r\n`;
  // Without a length, Go frames an HTTP/1.1 body by closing the connection.
  if (length < 0 && !/(^|,)\s*close\s*($|,)/i.test(p.headers.get("connection") ?? "")) head += "Connection: close\r\n";
  const sentLength = length > 0 || (length === 0 && LENGTH_ALWAYS.has(p.method));
  if (sentLength) head += `Content-Length: ${length}\r\n`;
  head += headerLines(p.headers, RESPONSE_OWN);
  if (length === 0 && !sentLength && bodyAllowed(p.status)) head += "Content-Length: 0\r\n";
  return base64(head + "\r\n", p.body);
}

/** Go's Header.WriteSubset: names in canonical form, sorted; a line per value, newlines made spaces, trimmed. */
function headerLines(headers: Headers, own: Set<string>): string {
  const lines: Array<[string, string]> = [];
  for (const [name, value] of headers) {
    if (own.has(name) || name === "set-cookie") continue;
    lines.push([canonical(name), value]);
  }
  for (const cookie of headers.getSetCookie()) lines.push(["Set-Cookie", cookie]);
  lines.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return lines.map(([k, v]) => `${k}: ${clean(v)}\r\n`).join("");
}

/** textproto.CanonicalMIMEHeaderKey: names with characters outside a token are left as they are. */
function canonical(name: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return name;
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

function clean(v: string): string {
  return v.replace(/[\r\n]/g, " ").replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, "");
}

function bodyAllowed(status: number): boolean {
  return !(status >= 100 && status <= 199) && status !== 204 && status !== 304;
}

/** Go's chunked writer, fed by io.Copy's 32 KiB reads. */
function chunked(body: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < body.length; at += 32 * 1024) {
    const chunk = body.subarray(at, at + 32 * 1024);
    parts.push(utf8.encode(`${chunk.length.toString(16)}\r\n`), chunk, utf8.encode("\r\n"));
  }
  parts.push(utf8.encode("0\r\n\r\n"));
  return Buffer.concat(parts);
}

function base64(head: string, body: Uint8Array): string {
  return Buffer.concat([utf8.encode(head), body]).toString("base64");
}

// Go's http.StatusText.
const STATUS_TEXT: Record<number, string> = {
  100: "Continue",
  101: "Switching Protocols",
  102: "Processing",
  103: "Early Hints",
  200: "OK",
  201: "Created",
  202: "Accepted",
  203: "Non-Authoritative Information",
  204: "No Content",
  205: "Reset Content",
  206: "Partial Content",
  207: "Multi-Status",
  208: "Already Reported",
  226: "IM Used",
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  305: "Use Proxy",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  407: "Proxy Authentication Required",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Request Entity Too Large",
  414: "Request URI Too Long",
  415: "Unsupported Media Type",
  416: "Requested Range Not Satisfiable",
  417: "Expectation Failed",
  418: "I'm a teapot",
  421: "Misdirected Request",
  422: "Unprocessable Entity",
  423: "Locked",
  424: "Failed Dependency",
  425: "Too Early",
  426: "Upgrade Required",
  428: "Precondition Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  451: "Unavailable For Legal Reasons",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
  506: "Variant Also Negotiates",
  507: "Insufficient Storage",
  508: "Loop Detected",
  510: "Not Extended",
  511: "Network Authentication Required",
};
