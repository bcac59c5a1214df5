// Tyk's granular access (allowed_urls of a key's access right, often set by a policy): the request passes when one
// entry lists its method and its URL pattern matches the request path. Patterns are Go regular expressions (RE2,
// here through re2js, so a pattern means exactly what it means to Tyk and no pattern can backtrack exponentially),
// prepared as Tyk's httputil.PreparePathRegexp prepares them.
import { RE2JS } from "re2js";
import type { AccessDefinition } from "../store/types.ts";

export type AllowedUrls = NonNullable<AccessDefinition["allowed_urls"]>;

// Patterns come from keys and policies: compiled once, and the cache is emptied when it grows past this.
const MAX_CACHED = 1000;
const compiled = new Map<string, RE2JS | string>();

/**
 * Tyk's PreparePathRegexp without prefix matching (its default): mux-style `{name}` placeholders (when braces
 * balance) match one path segment, `/*` followed by `/` one segment, and a trailing `/*` anything.
 */
export function prepareGranularPattern(url: string): string {
  let pattern = url;
  const open = pattern.split("{").length - 1;
  if (open > 0 && open === pattern.split("}").length - 1) pattern = pattern.replace(/\{[^}]+\}/g, "([^/]+)");
  if (pattern.includes("/*")) pattern = pattern.replaceAll("/*/", "/[^/]+/").replaceAll("/*", "/.*");
  return pattern;
}

/** The compiled pattern of an allowed_urls entry, or Go's message for why it does not compile. */
export function compileGranularPattern(url: string): RE2JS | string {
  let re = compiled.get(url);
  if (re === undefined) {
    try {
      re = RE2JS.compile(prepareGranularPattern(url));
    } catch (err) {
      re = err instanceof Error ? err.message : String(err);
    }
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(url, re);
  }
  return re;
}

/**
 * Tyk's GranularAccessMiddleware (legacy matching, Tyk's default): true when an entry lists `method` (exact, as Go's
 * slices.Contains) and its pattern matches anywhere in `path` (the decoded request path, listen path included). A
 * pattern that does not compile matches nothing, as in Tyk.
 */
export function urlAllowed(allowed: AllowedUrls, method: string, path: string): boolean {
  for (const spec of allowed) {
    if (!spec.methods?.includes(method)) continue;
    const re = compileGranularPattern(spec.url);
    if (typeof re !== "string" && re.test(path)) return true;
  }
  return false;
}
