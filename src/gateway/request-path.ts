// The request's path as Tyk's router sees it, so routing, authentication,
// plugins and the upstream URL all follow from one canonical path. Tyk's
// router (gorilla/mux under Go's net/url) matches the percent-decoded path,
// and unless http_server_options.skip_url_cleaning is set it first answers
// 301 with the cleaned path (dot segments resolved, duplicate slashes
// collapsed) instead of serving a path that is not clean. Escaping follows
// Go's net/url (EscapedPath): the path goes on as the client encoded it when
// that is a valid encoding, else as Go would encode it.

/** What to do with a request path. */
export type RequestPath =
  /**
   * `path`: the path to send on (the client's encoding when valid); `route`:
   * its decoded form, which routing matches; `goEncoded`: the decoded form as
   * Go encodes it (what Tyk sends once stripping the listen path has
   * invalidated the client's encoding).
   */
  | { kind: "ok"; path: string; route: string; goEncoded: string }
  /** Not clean: answer 301 with this Location (cleaned path, and the query). */
  | { kind: "redirect"; location: string }
  /** Malformed (bad %-escape, control byte), or dot segments while cleaning is skipped: answer 400. */
  | { kind: "bad" };

// Characters Go's net/url leaves as they are in a path (validEncoded): unreserved, sub-delims, ":", "@", "/", "[", "]".
const PLAIN = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/[\]]*$/;
// A dot segment or an empty one ("//") anywhere in a path (";" too: the slow path looks at "..;parameters").
const UNCLEAN = /\/\.\.?(?:\/|$|;)|\/\//;
const DOT_SEGMENT = /\/\.\.?(?:\/|$|;)/;
const PARAM_DOT_SEGMENT = /[/\\]\.\.?;/;
const BACKSLASH_DOT_SEGMENT = /[/\\]\.\.?\\|\\\.\.?(?:[/\\]|$)/;
const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();

/**
 * Canonicalises a request path (`raw`: as received, before "?"; `query`:
 * without "?"). Cheap for ordinary paths (one regular expression test).
 */
export function canonicalPath(raw: string, query: string, skipCleaning: boolean): RequestPath {
  if (PLAIN.test(raw) && !(skipCleaning ? DOT_SEGMENT : UNCLEAN).test(raw)) return { kind: "ok", path: raw, route: raw, goEncoded: raw };
  const bytes = percentDecode(raw.startsWith("/") ? raw : `/${raw}`);
  if (bytes === undefined) return { kind: "bad" };
  // Beyond Tyk: dot segments other upstreams resolve, that Go's path cleaning does not see: with "\" for "/"
  // (Windows servers), with ";parameters" ("..;" for Tomcat, Jetty, Spring), or around a decoded control
  // character (".%00." where NUL is dropped).
  if (BACKSLASH_DOT_SEGMENT.test(bytes) || PARAM_DOT_SEGMENT.test(bytes) || /[\x00-\x1f\x7f]/.test(bytes)) return { kind: "bad" };
  if (skipCleaning) {
    // Tyk would pass dot segments on; an upstream that resolves them would serve a path routing never saw.
    if (DOT_SEGMENT.test(bytes)) return { kind: "bad" };
  } else {
    const cleaned = cleanPath(bytes);
    if (cleaned !== bytes) return { kind: "redirect", location: escapePath(cleaned) + (query ? `?${query}` : "") };
  }
  const goEncoded = escapePath(bytes);
  return { kind: "ok", path: validEncoded(raw) ? raw : goEncoded, route: asText(bytes), goEncoded };
}

/** The decoded, clean form in which requests are routed to path `p` (a listen path); undefined when an escape is malformed. */
export function routedForm(p: string): string | undefined {
  const bytes = percentDecode(p);
  return bytes === undefined ? undefined : asText(cleanPath(bytes));
}

/**
 * A path as Go's r.URL.Path has it, which Tyk matches endpoint patterns
 * against: percent-decoded, UTF-8 (invalid sequences as U+FFFD, which is
 * how Go's regexp reads them). A malformed escape is left as it is.
 */
export function decodedPath(path: string): string {
  if (!path.includes("%")) return path;
  const bytes = percentDecode(path);
  return bytes === undefined ? path : asText(bytes);
}

/** Percent-decodes into a byte string (one char per byte); undefined on a malformed escape or a control byte (Go: 400). */
function percentDecode(s: string): string | undefined {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x21 || c === 0x7f) {
      return undefined;
    } else if (c > 0x7f) {
      // Raw non-ASCII (some runtimes pass it through): its UTF-8 bytes.
      const ch = String.fromCodePoint(s.codePointAt(i)!);
      for (const b of utf8Encoder.encode(ch)) out += String.fromCharCode(b);
      i += ch.length - 1;
    } else out += s[i];
  }
  return out;
}

/** The UTF-8 text of a byte string (invalid sequences become U+FFFD). */
function asText(bytes: string): string {
  if (!/[\x80-\xff]/.test(bytes)) return bytes;
  return utf8.decode(Uint8Array.from(bytes, (ch) => ch.charCodeAt(0)));
}

/**
 * gorilla/mux's cleanPath: Go's path.Clean (duplicate slashes collapsed,
 * "." removed, ".." resolved, never above the root), keeping a trailing slash.
 */
export function cleanPath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  const cleaned = `/${out.join("/")}`;
  return cleaned !== "/" && p.endsWith("/") ? `${cleaned}/` : cleaned;
}

/** Go's shouldEscape(c, encodePath): what a path may not carry as it is. */
function mustEscapeInPath(c: number): boolean {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return false;
  return !"-_.~$&+,/:;=@".includes(String.fromCharCode(c));
}

/** Go's validEncoded(s, encodePath): `s` may go on as it is. */
function validEncoded(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ("!$&'()*+,;=:@[]%".includes(s[i])) continue;
    if (c > 0x7f || mustEscapeInPath(c)) return false;
  }
  return true;
}

/** Go's escape(s, encodePath) over a byte string: %XX (upper case) for what a path may not carry. */
function escapePath(bytes: string): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    out += mustEscapeInPath(c) ? `%${c.toString(16).toUpperCase().padStart(2, "0")}` : bytes[i];
  }
  return out;
}
