// Request bodies of the Gateway API: JSON read once, at the door, with Tyk's answer for anything unusable
// (400 {"status": "error", "message": "Request malformed"}), here followed by what is wrong and where.
import { ConfigError, findJsonSyntaxError, lineAndColumn } from "../config/validate.ts";

/**
 * Nesting deeper than this is refused before parsing. Go's decoder (Tyk's, and the shim's, which gets sessions and
 * definitions from us) stops at 10000; JSON.stringify and recursive walks overflow the stack not far beyond, so a
 * body must stay well under both. No real key or definition comes near it.
 */
export const MAX_JSON_DEPTH = 1000;

/** A body the Gateway API cannot use; the message is the one answered (with status 400). */
export class RequestMalformed extends Error {
  override name = "RequestMalformed";
  constructor(reason?: string) {
    super(reason ? `Request malformed: ${reason}` : "Request malformed");
  }

  /** The problems of a ConfigError as one line: `rate: expected a number, got string; per: ...`. */
  static fromConfigError(err: ConfigError): RequestMalformed {
    return new RequestMalformed(
      err.problems.map((p) => (p.field === "" ? p.message : `${p.field}: ${p.message}`)).join("; "),
    );
  }
}

/** True when `text` opens more than `max` objects or arrays inside one another (strings are skipped). */
function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * The request's body parsed as JSON. Throws RequestMalformed for an empty body, invalid JSON (with line and column)
 * or nesting deeper than MAX_JSON_DEPTH, so that none of them can reach a recursive step and fail as a 500.
 */
export async function readJsonBody(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === "") throw new RequestMalformed("the body is empty (expected JSON)");
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new RequestMalformed(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const found = findJsonSyntaxError(text);
    if (!found) throw new RequestMalformed(`invalid JSON: ${(err as Error).message}`);
    const { line, column } = lineAndColumn(text, found.offset);
    throw new RequestMalformed(`invalid JSON at line ${line}, column ${column}: ${found.reason}`);
  }
}
