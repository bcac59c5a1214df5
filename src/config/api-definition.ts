// Tyk Classic API definitions (the *.json files in app_path). JSON names and defaults are Tyk's
// (apidef/api_definitions.go): a field absent from the file has Go's zero value unless noted. Fields we do not
// implement are reported as unknown, not errors, and kept in `raw`, which goes to Go plugins unchanged
// (ctx.GetDefinition), so a plugin sees the definition exactly as written.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { RE2JS, RE2JSException } from "re2js";
import { z } from "zod";
import { dict, flag, list, section, text, typeError } from "./fields.ts";
import { type ApiDefinitionKind, parseAnyApiDefinition } from "./oas-definition.ts";
import { ConfigError, parseConfig, readJsonFile } from "./validate.ts";
import { checkHttpUrl, checkListenPath } from "./checks.ts";

const required = (what: string) => z.string(typeError(`expected ${what}`)).min(1, { error: "must not be empty" });

// ---------------------------------------------------------------------------------------------------------------
// Path patterns

/** A compiled Tyk path pattern: Go's regular expression syntax and semantics (RE2), matched in linear time. */
export interface PathPattern {
  /** The regular expression compiled: the pattern as Tyk rewrites it (see compileTykPathPattern). */
  readonly source: string;
  /** Whether the pattern matches anywhere in `path` (Go's MatchString), in time linear in `path`'s length. */
  test(path: string): boolean;
}

/**
 * Compiles a path pattern a definition supplies (extended_paths.go_plugin[].path; the same reading serves any
 * other Tyk endpoint path) as Tyk does (httputil.PreparePathRegexp with path prefix and suffix matching off, the
 * default): when the pattern has as many `{` as `}`, each mux-style `{name}` matches one path segment
 * (`([^/]+)`); then `/*` followed by `/` matches one segment and `/*` elsewhere any rest (`.*`); the result is a
 * Go regular expression, not anchored unless it says so (`^`, `$`, `\A`, `\z`). It runs on re2js, a port of
 * Go's engine: the same syntax (`(?P<n>...)`, `(?i)`, `\Q...\E`, `[[:alpha:]]`), no backtracking, so matching
 * time grows linearly with the path whatever the pattern; and what Go refuses (lookaround, backreferences,
 * repeats over 1000, ...) is refused here with Go's words. Throws an Error saying what is wrong.
 */
export function compileTykPathPattern(pattern: string): PathPattern {
  let src = pattern;
  const open = src.split("{").length - 1;
  if (open > 0 && open === src.split("}").length - 1) src = src.replace(/\{[^}]+\}/g, "([^/]+)");
  if (src.includes("/*")) src = src.replaceAll("/*/", "/[^/]+/").replaceAll("/*", "/.*");
  let re: RE2JS;
  try {
    re = RE2JS.compile(src);
  } catch (err) {
    if (!(err instanceof RE2JSException)) throw err;
    throw new Error(`not a valid Go regular expression: ${err.message.replace(/^error parsing regexp: /, "")}`);
  }
  return { source: src, test: (path) => re.test(path) };
}

// ---------------------------------------------------------------------------------------------------------------
// Schema

/** extended_paths.go_plugin[]: a Go plugin run for one endpoint. */
export const GoPluginEntrySchema = z.object({
  /** Tyk matches it as a regular expression; see compileTykPathPattern. */
  path: required("an endpoint path pattern (string)").superRefine((p, ctx) => {
    try {
      compileTykPathPattern(p);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: `${(err as Error).message} (Tyk matches this path as one)` });
    }
  }),
  method: required("an HTTP method (string)"),
  plugin_path: required("the path of the plugin's .so file"),
  func_name: required("the name of the plugin's exported function"),
  disabled: flag(),
});
export type GoPluginEntry = z.output<typeof GoPluginEntrySchema>;

/** One entry of custom_middleware.pre/post/post_key_auth/response. */
export const MiddlewareDefinitionSchema = z.object({
  /** The plugin function (Go: exported symbol). */
  name: required("the plugin function name (string)"),
  /** Go plugins: the .so file. Empty when a bundle provides the plugins. */
  path: text(),
  disabled: flag(),
  require_session: flag(),
  raw_body_only: flag(),
});
export type MiddlewareDefinition = z.output<typeof MiddlewareDefinitionSchema>;

// Tyk writes an unset auth_check as {} (or with name ""): that means "no auth plugin", normalised to undefined.
const AuthCheckSchema = z
  .object({ name: text(), path: text(), disabled: flag(), require_session: flag(), raw_body_only: flag() })
  .nullish()
  .transform((v): MiddlewareDefinition | undefined => (v && v.name !== "" ? v : undefined));

export const MiddlewareDriverSchema = z.enum(["", "otto", "python", "lua", "grpc", "goplugin"]);
export type MiddlewareDriver = z.output<typeof MiddlewareDriverSchema>;

export const CustomMiddlewareSchema = z.object({
  pre: list(MiddlewareDefinitionSchema),
  post: list(MiddlewareDefinitionSchema),
  post_key_auth: list(MiddlewareDefinitionSchema),
  /** undefined when Tyk's file has {} or no name. */
  auth_check: AuthCheckSchema,
  /** A bundle manifest's analytics plugin (see registry withBundle); Tyk ignores it in an API definition. */
  traffic_logs: AuthCheckSchema,
  response: list(MiddlewareDefinitionSchema),
  driver: MiddlewareDriverSchema.default(""),
  /** Tolerated, not implemented (an auth-cache key extractor for coprocess plugins). */
  id_extractor: z.unknown().optional(),
});
export type CustomMiddleware = z.output<typeof CustomMiddlewareSchema>;

/**
 * analytics_plugin (apidef.AnalyticsPluginConfig): a Go plugin's `func(*analytics.AnalyticsRecord)` that may change
 * each analytics record of the API before it is stored. Always a Go plugin, whatever custom_middleware.driver says.
 */
export const AnalyticsPluginSchema = z.object({
  enable: flag(),
  plugin_path: text(),
  func_name: text(),
});

/** `auth` and each `auth_configs` entry: where the auth token is read from. */
export const AuthConfigSchema = z.object({
  name: text(),
  /** Tyk reads "" as "Authorization". */
  auth_header_name: text("Authorization").transform((v) => (v === "" ? "Authorization" : v)),
  disable_header: flag(),
  use_param: flag(),
  param_name: text(),
  use_cookie: flag(),
  cookie_name: text(),
});
export type AuthConfig = z.output<typeof AuthConfigSchema>;

export const ProxySchema = z.object(
  {
    listen_path: z.string(typeError("expected a listen path (string)")).superRefine(checkListenPath),
    target_url: z.string(typeError("expected a URL string")).superRefine(checkHttpUrl),
    strip_listen_path: flag(),
    preserve_host_header: flag(),
    disable_strip_slash: flag(),
  },
  typeError("expected an object with listen_path and target_url"),
);
export type ProxyConfig = z.output<typeof ProxySchema>;

// Tyk's other extended_paths lists (white_list, black_list, ignored, transform, ...) are accepted if they are
// arrays, kept, and reported as unknown fields: we do not implement them.
export const ExtendedPathsSchema = z
  .object({ go_plugin: list(GoPluginEntrySchema) })
  .catchall(z.array(z.unknown(), typeError("expected an array (a Tyk extended_paths list)")).nullable());
export type ExtendedPaths = z.output<typeof ExtendedPathsSchema>;

export const VersionInfoSchema = z.object({
  name: text(),
  expires: text(),
  /** Tyk only applies extended_paths (go_plugin included) when this is true. */
  use_extended_paths: flag(),
  extended_paths: section(ExtendedPathsSchema),
});
export type VersionInfo = z.output<typeof VersionInfoSchema>;

export const VersionDataSchema = z.object({
  not_versioned: flag(true),
  default_version: text(),
  versions: dict(VersionInfoSchema),
});
export type VersionData = z.output<typeof VersionDataSchema>;

export const GlobalRateLimitSchema = z.object({
  rate: z.number().min(0).default(0),
  /** Seconds. */
  per: z.number().min(0).default(0),
  disabled: flag(),
});

export const ApiDefinitionSchema = z
  .object(
    {
      api_id: required("an API id (string)"),
      name: text(),
      org_id: text(),
      slug: text(),
      active: flag(true),
      internal: flag(),
      proxy: ProxySchema,
      use_keyless: flag(),
      use_standard_auth: flag(),
      /** Deprecated in Tyk in favour of auth_configs.authToken, still widely used. */
      auth: section(AuthConfigSchema),
      auth_configs: dict(AuthConfigSchema),
      use_go_plugin_auth: flag(),
      custom_plugin_auth_enabled: flag(),
      enable_coprocess_auth: flag(),
      custom_middleware: section(CustomMiddlewareSchema),
      custom_middleware_bundle: text(),
      custom_middleware_bundle_disabled: flag(),
      config_data: dict(z.unknown()),
      config_data_disabled: flag(),
      version_data: section(VersionDataSchema),
      global_rate_limit: section(GlobalRateLimitSchema),
      disable_rate_limit: flag(),
      disable_quota: flag(),
      do_not_track: flag(),
      /** This API's records carry the whole request and response (raw_request, raw_response). */
      enable_detailed_recording: flag(),
      analytics_plugin: section(AnalyticsPluginSchema),
      tags: list(z.string()),
      enable_context_vars: flag(),
      strip_auth_data: flag(),
      /** Tolerated: set by Tyk on definitions migrated from OAS. */
      is_oas: flag(),
      domain: text(),
    },
    typeError("expected a JSON object (a Tyk Classic API definition)"),
  )
  .superRefine((def, ctx) => {
    // Without a bundle, the plugins named here are all there is, so they must be complete.
    const bundled = def.custom_middleware_bundle !== "" && !def.custom_middleware_bundle_disabled;
    if (bundled) return;
    const mw = def.custom_middleware;
    if (mw.driver === "goplugin") {
      for (const kind of ["pre", "post", "post_key_auth", "response"] as const) {
        mw[kind].forEach((m, i) => {
          if (!m.disabled && m.path === "") {
            ctx.addIssue({
              code: "custom",
              path: ["custom_middleware", kind, i, "path"],
              message: 'required when driver is "goplugin" (the plugin\'s .so file)',
            });
          }
        });
      }
      if (mw.auth_check && !mw.auth_check.disabled && mw.auth_check.path === "") {
        ctx.addIssue({
          code: "custom",
          path: ["custom_middleware", "auth_check", "path"],
          message: 'required when driver is "goplugin" (the plugin\'s .so file)',
        });
      }
    }
    const customAuth = (["custom_plugin_auth_enabled", "use_go_plugin_auth", "enable_coprocess_auth"] as const).find(
      (k) => def[k],
    );
    if (customAuth && !mw.auth_check) {
      // Refusing beats serving the API with no authentication at all.
      ctx.addIssue({
        code: "custom",
        path: ["custom_middleware", "auth_check"],
        message: `${customAuth} is true but no auth_check plugin is named`,
      });
    }
  });
export type ApiDefinition = z.output<typeof ApiDefinitionSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Loading

/** A valid definition: parsed (defaults applied), the JSON object as written, and the fields we ignore. */
export interface ParsedApiDefinition {
  def: ApiDefinition;
  /** The definition exactly as read, every field included: what Go plugins get from ctx.GetDefinition. */
  raw: Record<string, unknown>;
  unknownFields: string[];
}

/** Validates one API definition. Throws ConfigError naming `file` and the field(s) at fault. */
export function parseApiDefinition(data: unknown, file: string): ParsedApiDefinition {
  const { value, unknownFields } = parseConfig(ApiDefinitionSchema, data, file);
  return { def: value, raw: data as Record<string, unknown>, unknownFields };
}

export type ApiDefinitionLoadResult =
  | ({ file: string; kind: ApiDefinitionKind } & ParsedApiDefinition)
  | { file: string; error: ConfigError };

/**
 * Loads every `*.json` file directly in `dir` (not subdirectories), in name order as Tyk does: a Tyk OAS document
 * (`openapi` and `x-tyk-api-gateway`, see oas-definition.ts) or else a Tyk Classic definition. Each file stands
 * alone: a broken one yields an `error` entry and the others load. A file repeating an earlier file's api_id is an
 * error entry (Tyk keeps the first). Throws ConfigError only when `dir` itself cannot be read.
 */
export function loadApiDefinitions(dir: string): ApiDefinitionLoadResult[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.name.endsWith(".json") && (e.isFile() || (e.isSymbolicLink() && isFile(join(dir, e.name)))))
      .map((e) => e.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); // byte order, like Go's filepath.Glob
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const reason = code === "ENOENT"
      ? "no such directory"
      : code === "ENOTDIR"
      ? "not a directory"
      : err instanceof Error
      ? err.message
      : String(err);
    throw ConfigError.of(dir, "", `cannot read the API definition directory: ${reason}`);
  }
  // Two files naming the same api_id or listen path are settled by the registry, which knows which one served before.
  return names.map((name): ApiDefinitionLoadResult => {
    const file = join(dir, name);
    try {
      return { file, ...parseAnyApiDefinition(readJsonFile(file), file) };
    } catch (err) {
      if (err instanceof ConfigError) return { file, error: err };
      throw err;
    }
  });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
