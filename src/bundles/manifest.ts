// A Tyk plugin bundle's manifest.json (Tyk: apidef.BundleManifest). Tyk's struct has four fields: file_list,
// custom_middleware (the same section as an API definition's), checksum and signature; anything else in the file is
// ignored by Tyk, so here it is tolerated and reported as unknown. Note that `driver` belongs inside
// custom_middleware: a top-level "driver" (as in some of Tyk's own examples) is one of those ignored fields.
import { z } from "zod";
import { CustomMiddlewareSchema } from "../config/api-definition.ts";
import { list, section, text, typeError } from "../config/fields.ts";
import { ConfigError, findJsonSyntaxError, lineAndColumn, parseConfig } from "../config/validate.ts";

export const MANIFEST_FILE = "manifest.json";

/**
 * The canonical form of a path inside a bundle ("lib/x.so"), or a reason it cannot be one. Refused: empty names,
 * absolute paths, Windows drive letters and backslashes, NUL bytes and ".." segments, since any of them could
 * write or load a file outside the bundle's directory. "." and empty segments are dropped.
 */
export function bundlePath(p: string): { path: string } | { reason: string } {
  if (p.includes("\0")) return { reason: "contains a NUL byte" };
  if (p.includes("\\")) return { reason: 'contains a backslash (use "/" between directories)' };
  if (p.startsWith("/")) return { reason: "is an absolute path" };
  if (/^[A-Za-z]:/.test(p)) return { reason: "starts with a Windows drive letter" };
  const segments = p.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) return { reason: 'has a ".." segment (it would point outside the bundle)' };
  if (segments.length === 0) return { reason: "is empty" };
  return { path: segments.join("/") };
}

/** The canonical form of a path the manifest schema has already accepted (file_list entries, plugin paths). */
export function canonicalPath(p: string): string {
  const r = bundlePath(p);
  if ("reason" in r) throw new Error(`unchecked bundle path ${JSON.stringify(p)}: ${r.reason}`);
  return r.path;
}

function checkBundlePath(p: string, ctx: z.core.$RefinementCtx<string>): void {
  const r = bundlePath(p);
  if ("reason" in r) ctx.addIssue({ code: "custom", message: `${JSON.stringify(p)} ${r.reason}` });
}

const HOOK_KINDS = ["pre", "post", "post_key_auth", "response"] as const;

export const BundleManifestSchema = z
  .object(
    {
      /** The files the checksum and signature cover, in the order they are hashed. */
      file_list: list(z.string(typeError("expected a file name (string)")).superRefine(checkBundlePath)),
      custom_middleware: section(CustomMiddlewareSchema),
      /** Lowercase hex MD5 of the file_list files' contents, concatenated in file_list order. */
      checksum: text(),
      /** Base64 RSA PKCS#1 v1.5 signature over the SHA-256 of those same bytes; "" when unsigned. */
      signature: text(),
    },
    typeError("expected a JSON object (a bundle manifest)"),
  )
  .superRefine((m, ctx) => {
    // A plugin path is resolved inside the bundle's directory, so it must not be able to leave it.
    const at = (kind: string, i: number | undefined, p: string) => {
      if (p === "") return;
      const r = bundlePath(p);
      if ("reason" in r) {
        ctx.addIssue({
          code: "custom",
          path: ["custom_middleware", kind, ...(i === undefined ? [] : [i]), "path"],
          message: `${JSON.stringify(p)} ${r.reason}`,
        });
      }
    };
    for (const kind of HOOK_KINDS) m.custom_middleware[kind].forEach((d, i) => at(kind, i, d.path));
    if (m.custom_middleware.auth_check) at("auth_check", undefined, m.custom_middleware.auth_check.path);
    if (m.custom_middleware.traffic_logs) at("traffic_logs", undefined, m.custom_middleware.traffic_logs.path);
  });
export type BundleManifest = z.output<typeof BundleManifestSchema>;
export type BundleMiddleware = BundleManifest["custom_middleware"];

export interface ParsedManifest {
  manifest: BundleManifest;
  /** The manifest's JSON object as written (the CLI writes it back with checksum and signature filled). */
  raw: Record<string, unknown>;
  /** Fields Tyk's manifest does not have; Tyk ignores them. */
  unknownFields: string[];
}

/** Validates a manifest already parsed from JSON. Throws ConfigError naming `file` and the field at fault. */
export function parseManifest(data: unknown, file: string): ParsedManifest {
  const { value, unknownFields } = parseConfig(BundleManifestSchema, data, file);
  return { manifest: value, raw: data as Record<string, unknown>, unknownFields };
}

/** Parses and validates manifest.json's text. Throws ConfigError naming `file`, with line and column for bad JSON. */
export function parseManifestText(text: string, file: string): ParsedManifest {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === "") throw ConfigError.of(file, "", "invalid JSON: the file is empty");
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (err) {
    const found = findJsonSyntaxError(body);
    if (!found) throw ConfigError.of(file, "", `invalid JSON: ${(err as Error).message}`);
    const { line, column } = lineAndColumn(body, found.offset);
    throw ConfigError.of(file, "", `invalid JSON at line ${line}, column ${column}: ${found.reason}`);
  }
  return parseManifest(data, file);
}

/** Every plugin entry of a custom_middleware section with its `path` passed through `map` ("" stays ""). */
export function mapMiddlewarePaths(mw: BundleMiddleware, map: (p: string) => string): BundleMiddleware {
  const one = <T extends { path: string }>(d: T): T => ({ ...d, path: d.path === "" ? "" : map(d.path) });
  return {
    ...mw,
    pre: mw.pre.map(one),
    post: mw.post.map(one),
    post_key_auth: mw.post_key_auth.map(one),
    response: mw.response.map(one),
    auth_check: mw.auth_check && one(mw.auth_check),
    traffic_logs: mw.traffic_logs && one(mw.traffic_logs),
  };
}
