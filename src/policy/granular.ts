// Tyk's granular access (allowed_urls of a key's access right, often set by a policy): the request passes when one
// entry lists its method and its URL pattern matches the request path. Patterns are read as Tyk reads endpoint
// paths (compileTykPathPattern: Tyk's PreparePathRegexp, then Go's regexp semantics in linear time).
import { compileTykPathPattern, type PathPattern } from "../config/api-definition.ts";
import type { AccessDefinition } from "../store/types.ts";

export type AllowedUrls = NonNullable<AccessDefinition["allowed_urls"]>;

// Patterns come from keys and policies: compiled once, and the cache is emptied when it grows past this.
const MAX_CACHED = 1000;
const compiled = new Map<string, PathPattern | string>();

/** The compiled pattern of an allowed_urls entry, or why Go would not compile it. */
export function compileGranularPattern(url: string): PathPattern | string {
  let re = compiled.get(url);
  if (re === undefined) {
    try {
      re = compileTykPathPattern(url);
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
