// Tyk OAS API definitions: an OpenAPI 3 document whose `x-tyk-api-gateway` section configures the gateway. Like
// Tyk (apidef/oas: XTykAPIGateway.ExtractTo, OAS.ExtractTo), we convert it to the Classic form (ApiDefinition) so the
// rest of the gateway, the chain builder included, serves both kinds the same way. JSON names are Tyk's. `raw` keeps
// the document as written: Go plugins read it with ctx.GetOASDefinition.
//
// Only the Tyk section is checked key by key: keys in it that we do not implement are reported as unknown fields
// (as for Classic definitions). The OpenAPI part (info, servers, paths, components, ...) is the API's description,
// read only where Tyk reads it: `paths` for per-operation plugins, `security` and `components.securitySchemes` for
// token authentication.
//
// This module and api-definition.ts import each other (loadApiDefinitions dispatches here; the conversion needs the
// Classic schema). Nothing from api-definition.ts is used at module top level, so either may be loaded first.
import { z } from "zod";
import {
  type ApiDefinition,
  ApiDefinitionSchema,
  parseApiDefinition,
  type ParsedApiDefinition,
} from "./api-definition.ts";
import { flag, text, typeError } from "./fields.ts";
import { dataRecord, isJsonObject, ownValue } from "./records.ts";
import { ConfigError, type ConfigProblem, formatPath, parseConfig } from "./validate.ts";
import { checkHttpUrl, checkListenPath } from "./checks.ts";

/** The key of Tyk's section in an OpenAPI document (oas.ExtensionTykAPIGateway). */
export const TYK_EXTENSION = "x-tyk-api-gateway";

/** What loadApiDefinitions tells apart: a Tyk Classic definition or a Tyk OAS document. */
export type ApiDefinitionKind = "classic" | "oas";

/** A valid Tyk OAS definition, converted to the Classic form. */
export interface ParsedOasDefinition {
  /** The Classic form, defaults applied: what the gateway serves. */
  def: ApiDefinition;
  /** The OAS document exactly as read: what Go plugins get from ctx.GetOASDefinition. */
  raw: Record<string, unknown>;
  /** Dotted paths (starting `x-tyk-api-gateway.`) of Tyk fields we do not implement, in document order. */
  unknownFields: string[];
}

/** True for an object with both `openapi` and `x-tyk-api-gateway`: a Tyk OAS API definition. */
export function isOasDocument(data: unknown): boolean {
  return isJsonObject(data) && Object.hasOwn(data, "openapi") && Object.hasOwn(data, TYK_EXTENSION);
}

// ---------------------------------------------------------------------------------------------------------------
// Schema of the x-tyk-api-gateway section: only what we implement. Required fields follow Tyk's JSON schema
// (apidef/oas/schema/x-tyk-api-gateway.json) where a missing value would otherwise silently switch something off
// (an `enabled` read as false), and our own needs (info.id: a file has no Dashboard to assign one).

const nonEmpty = (what: string) => z.string(typeError(`expected ${what}`)).min(1, { error: "must not be empty" });

/** header / query / cookie of an auth method (oas.AuthSource). */
const AuthSourceSchema = z.object({ enabled: z.boolean(), name: text() }).nullish();

/** One entry of prePlugins, postAuthenticationPlugins, postPlugins, responsePlugins (oas.CustomPlugin). */
const CustomPluginSchema = z.object({
  enabled: z.boolean(),
  functionName: nonEmpty("the plugin function name (string)"),
  path: text(),
  rawBodyOnly: flag(),
  requireSession: flag(),
});
type CustomPlugin = z.output<typeof CustomPluginSchema>;

// Kept nullish (not defaulted to []) because presence matters: Tyk uses the list form when it is there, even
// empty, and the deprecated single form (prePlugin: {plugins: [...]}) only when it is not.
const PluginListSchema = z.array(CustomPluginSchema).nullish();
const SinglePluginFormSchema = z.object({ plugins: PluginListSchema }).nullish();

const PluginConfigSchema = z
  .object({
    driver: z.enum(["", "otto", "python", "lua", "grpc", "goplugin"]).default(""),
    bundle: z.object({ enabled: z.boolean(), path: z.string() }).nullish(),
    data: z.object({ enabled: z.boolean(), value: dataRecord(z.unknown()).nullish() }).nullish(),
  })
  .nullish();

const GlobalSchema = z
  .object({
    pluginConfig: PluginConfigSchema,
    prePlugins: PluginListSchema,
    prePlugin: SinglePluginFormSchema,
    postAuthenticationPlugins: PluginListSchema,
    postAuthenticationPlugin: SinglePluginFormSchema,
    postPlugins: PluginListSchema,
    postPlugin: SinglePluginFormSchema,
    responsePlugins: PluginListSchema,
    responsePlugin: SinglePluginFormSchema,
    skipRateLimit: flag(),
    skipQuota: flag(),
    /** oas.TrafficLogs: whether the API records analytics (Classic do_not_track), and its analytics plugin. */
    trafficLogs: z.object({ enabled: flag(), plugins: z.array(CustomPluginSchema).nullish() }).nullish(),
  })
  .nullish();
type Global = NonNullable<z.output<typeof GlobalSchema>>;

/** middleware.operations.<operationId>.postPlugins[] (oas.EndpointPostPlugin). `name` is its deprecated spelling. */
const EndpointPostPluginSchema = z
  .object({
    enabled: z.boolean(),
    functionName: text(),
    name: text(),
    path: nonEmpty("the path of the plugin's .so file"),
  })
  .superRefine((p, ctx) => {
    if (p.functionName === "" && p.name === "") {
      ctx.addIssue({ code: "custom", path: ["functionName"], message: "required: the plugin's exported function" });
    }
  });

const OperationSchema = z.object({ postPlugins: z.array(EndpointPostPluginSchema).nullish() });

const AuthenticationPluginSchema = z.object({
  enabled: z.boolean(),
  functionName: text(),
  path: text(),
  rawBodyOnly: flag(),
  requireSession: flag(),
});

const AuthenticationSchema = z
  .object({
    enabled: z.boolean(),
    stripAuthorizationData: flag(),
    custom: z
      .object({
        enabled: z.boolean(),
        config: AuthenticationPluginSchema.nullish(),
        header: AuthSourceSchema,
        query: AuthSourceSchema,
        cookie: AuthSourceSchema,
      })
      .nullish(),
    // Values are read per scheme once the OpenAPI side says which kind each is (see securityOf).
    securitySchemes: dataRecord(z.unknown()).nullish(),
  })
  .nullish();
type Authentication = NonNullable<z.output<typeof AuthenticationSchema>>;

/** A token (apiKey) entry of authentication.securitySchemes (oas.Token). */
const TokenSchemeSchema = z.object(
  { enabled: z.boolean(), header: AuthSourceSchema, query: AuthSourceSchema, cookie: AuthSourceSchema },
  typeError("expected an object (a Tyk token auth scheme)"),
);

const XTykSchema = z
  .object(
    {
      info: z.object({
        id: nonEmpty("the API id (string; Tyk's Dashboard assigns one, a file must give it)"),
        orgId: text(),
        name: nonEmpty("the API name (string)"),
        state: z.object({ active: z.boolean(), internal: flag() }),
      }),
      upstream: z.object({
        url: z.string(typeError("expected a URL string")).superRefine(checkHttpUrl),
        preserveHostHeader: z.object({ enabled: z.boolean() }).nullish(),
      }),
      server: z.object({
        listenPath: z.object({
          value: z.string(typeError("expected a listen path (string)")).superRefine(checkListenPath),
          strip: flag(),
        }),
        authentication: AuthenticationSchema,
      }),
      middleware: z
        .object({
          global: GlobalSchema,
          operations: dataRecord(OperationSchema).nullish(),
        })
        .nullish(),
    },
    typeError("expected an object (Tyk's API configuration)"),
  )
  .superRefine((x, ctx) => {
    // The Classic schema would refuse this too, in Classic words; say it here, in the words of this document.
    const custom = x.server.authentication?.custom;
    if (custom?.enabled && !custom.config?.functionName) {
      ctx.addIssue({
        code: "custom",
        path: ["server", "authentication", "custom", "config", "functionName"],
        message: "required when custom.enabled is true: the authentication plugin's function",
      });
    }
  });
type XTyk = z.output<typeof XTykSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Field paths

/** Joins a formatted path and a formatted sub-path (`a.b` + `c[0]` -> `a.b.c[0]`, `a` + `["x y"]` -> `a["x y"]`). */
function joinPath(base: string, rel: string): string {
  if (base === "") return rel;
  if (rel === "") return base;
  return rel.startsWith("[") ? base + rel : `${base}.${rel}`;
}

/** parseConfig on a part of the document, with fields (in errors and unknownFields) named from the document root. */
function parseAt<S extends z.ZodType>(
  schema: S,
  data: unknown,
  file: string,
  at: readonly PropertyKey[],
): { value: z.output<S>; unknownFields: string[] } {
  const base = formatPath(at);
  try {
    const { value, unknownFields } = parseConfig(schema, data, file);
    return { value, unknownFields: unknownFields.map((f) => joinPath(base, f)) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(file, err.problems.map((p) => ({ field: joinPath(base, p.field), message: p.message })));
  }
}

const X = [TYK_EXTENSION] as const;

// ---------------------------------------------------------------------------------------------------------------
// The OpenAPI side

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/**
 * Tyk's order for paths (oasutil.SortByPathLength): more segments first, then longer first, then by name, comparing
 * paths with `{param}` placeholders removed; of two paths equal without them, the literal one comes first.
 */
function tykPathOrder(a: string, b: string): number {
  const less = (i: string, j: string): boolean => {
    let pi = i.replace(/\{[^}]+\}/g, "");
    let pj = j.replace(/\{[^}]+\}/g, "");
    if (pi === pj) [pi, pj] = [j, i];
    const si = pi.split("/").length, sj = pj.split("/").length;
    if (si !== sj) return si > sj;
    if (pi.length === pj.length) return pi < pj;
    return pi.length > pj.length;
  };
  return less(a, b) ? -1 : less(b, a) ? 1 : 0;
}

interface OperationRef {
  id: string;
  path: string;
  /** Upper case, as Tyk writes Classic methods. */
  method: string;
}

/**
 * The operations that have an operationId, in the order Tyk extracts them: `paths` entries in Tyk's order, and
 * within one path the methods as the document lists them (Tyk's own order there is Go's random map order).
 */
function operationList(paths: Record<string, unknown>): OperationRef[] {
  const out: OperationRef[] = [];
  for (const path of Object.keys(paths).sort(tykPathOrder)) {
    const item = paths[path];
    if (!isJsonObject(item)) continue;
    for (const key of Object.keys(item)) {
      const method = HTTP_METHODS.find((m) => m === key);
      const op = item[key];
      if (method && isJsonObject(op) && typeof op.operationId === "string") {
        out.push({ id: op.operationId, path, method: method.toUpperCase() });
      }
    }
  }
  return out;
}

/** Checks the OpenAPI fields we read. Full OpenAPI validation is not done: Tyk's Dashboard does it on import. */
function checkOpenApi(doc: Record<string, unknown>, file: string): Record<string, unknown> {
  const problems: ConfigProblem[] = [];
  if (typeof doc.openapi !== "string" || !/^3\.\d+/.test(doc.openapi)) {
    problems.push({
      field: "openapi",
      message: `expected an OpenAPI 3 version string such as "3.0.3", got ${JSON.stringify(doc.openapi) ?? "nothing"}`,
    });
  }
  if (doc.paths !== undefined && !isJsonObject(doc.paths)) {
    problems.push({ field: "paths", message: "expected an object (OpenAPI paths)" });
  }
  if (problems.length > 0) throw new ConfigError(file, problems);
  return isJsonObject(doc.paths) ? doc.paths : {};
}

// ---------------------------------------------------------------------------------------------------------------
// Conversion to the Classic form

/** Classic fields set from a document field, so a Classic validation error can name the field the user wrote. */
type Origins = Array<[classic: string, oas: string]>;

interface Converted {
  classic: Record<string, unknown>;
  origins: Origins;
  unknownFields: string[];
}

/** A custom_middleware entry from a Tyk plugin entry (oas.CustomPlugins.ExtractTo). */
function middlewareEntry(p: CustomPlugin) {
  return {
    name: p.functionName,
    path: p.path,
    disabled: !p.enabled,
    raw_body_only: p.rawBodyOnly,
    require_session: p.requireSession,
  };
}

/** A hook's plugins: the list form if present (even empty), else the deprecated single form (Global.extract*To). */
function hookPlugins(
  global: Global | null | undefined,
  list: "prePlugins" | "postAuthenticationPlugins" | "postPlugins" | "responsePlugins",
  single: "prePlugin" | "postAuthenticationPlugin" | "postPlugin" | "responsePlugin",
  classicKey: string,
  origins: Origins,
) {
  const plural = global?.[list];
  const chosen = plural ?? global?.[single]?.plugins ?? [];
  const at = plural != null ? [...X, "middleware", "global", list] : [...X, "middleware", "global", single, "plugins"];
  chosen.forEach((_, i) => {
    origins.push([`custom_middleware.${classicKey}[${i}]`, formatPath([...at, i])]);
    origins.push([`custom_middleware.${classicKey}[${i}].name`, formatPath([...at, i, "functionName"])]);
  });
  return chosen.map(middlewareEntry);
}

interface AuthConfigOut {
  name: string;
  auth_header_name: string;
  disable_header: boolean;
  use_param: boolean;
  param_name: string;
  use_cookie: boolean;
  cookie_name: string;
}

type AuthSource = z.output<typeof AuthSourceSchema>;

/** auth_configs entry from header/query/cookie sources (oas.AuthSources.ExtractTo: no header source = header off). */
function authSources(name: string, header: AuthSource, query: AuthSource, cookie: AuthSource): AuthConfigOut {
  return {
    name,
    auth_header_name: header?.name ?? "",
    disable_header: !header?.enabled,
    use_param: query?.enabled ?? false,
    param_name: query?.name ?? "",
    use_cookie: cookie?.enabled ?? false,
    cookie_name: cookie?.name ?? "",
  };
}

/**
 * Token authentication, as Tyk reads it (OAS.extractSecurityTo, legacy mode): the schemes named in the first
 * OpenAPI security requirement that also have an entry in authentication.securitySchemes. An `apiKey` scheme is a
 * Tyk auth token; where the token goes (`in`, `name`) is taken from components.securitySchemes. Other kinds (JWT,
 * basic, OAuth) are not implemented and are reported as unknown fields.
 */
function securityOf(
  doc: Record<string, unknown>,
  auth: Authentication,
  file: string,
  unknownFields: string[],
): { useStandardAuth: boolean; token?: AuthConfigOut } {
  const tykSchemes = auth.securitySchemes ?? {};
  const schemesAt = [...X, "server", "authentication", "securitySchemes"];
  const components = isJsonObject(doc.components) && isJsonObject(doc.components.securitySchemes)
    ? doc.components.securitySchemes
    : {};
  if (doc.security !== undefined && !Array.isArray(doc.security)) {
    throw ConfigError.of(file, "security", "expected an array (OpenAPI security requirements)");
  }
  const first = Array.isArray(doc.security) ? doc.security[0] : undefined;
  const inEffect = isJsonObject(first) ? first : {};
  let result: { useStandardAuth: boolean; token?: AuthConfigOut } = { useStandardAuth: false };
  for (const name of Object.keys(tykSchemes)) {
    const native = ownValue(components, name);
    const nativeAt = formatPath(["components", "securitySchemes", name]);
    const isToken = isJsonObject(native) && native.type === "apiKey";
    if (!isToken) {
      // Tyk ignores a scheme that is not in effect; one that is in effect but of a kind we lack is not implemented.
      if (Object.hasOwn(inEffect, name)) {
        if (native === undefined) {
          throw ConfigError.of(file, nativeAt, `missing: security[0] and ${formatPath([...schemesAt, name])} use it`);
        }
        unknownFields.push(formatPath([...schemesAt, name]));
      }
      continue;
    }
    const { value: token, unknownFields: unknown } = parseAt(TokenSchemeSchema, tykSchemes[name], file, [
      ...schemesAt,
      name,
    ]);
    unknownFields.push(...unknown);
    if (!Object.hasOwn(inEffect, name)) continue;
    const cfg = authSources(name, token.header, token.query, token.cookie);
    // components.securitySchemes says where the token is (extractAPIKeySchemeTo): it wins over the Tyk sources.
    const where = native.in, key = typeof native.name === "string" ? native.name : "";
    if (where === "header") Object.assign(cfg, { auth_header_name: key, disable_header: false });
    else if (where === "query") Object.assign(cfg, { param_name: key, use_param: true });
    else if (where === "cookie") Object.assign(cfg, { cookie_name: key, use_cookie: true });
    else {
      throw ConfigError.of(
        file,
        `${nativeAt}.in`,
        `expected "header", "query" or "cookie", got ${JSON.stringify(where) ?? "nothing"}`,
      );
    }
    result = { useStandardAuth: token.enabled, token: cfg };
  }
  return result;
}

function convert(doc: Record<string, unknown>, x: XTyk, paths: Record<string, unknown>, file: string): Converted {
  const origins: Origins = [
    ["api_id", formatPath([...X, "info", "id"])],
    ["proxy.listen_path", formatPath([...X, "server", "listenPath", "value"])],
    ["proxy.target_url", formatPath([...X, "upstream", "url"])],
    ["custom_middleware.auth_check", formatPath([...X, "server", "authentication", "custom", "config"])],
    [
      "custom_middleware.auth_check.name",
      formatPath([...X, "server", "authentication", "custom", "config", "functionName"]),
    ],
  ];
  const unknownFields: string[] = [];

  // Authentication (Authentication.ExtractTo, CustomPluginAuthentication.ExtractTo): none configured = keyless.
  const auth = x.server.authentication;
  const authConfigs: Record<string, AuthConfigOut> = {};
  let security: { useStandardAuth: boolean; token?: AuthConfigOut } = { useStandardAuth: false };
  let authCheck: Record<string, unknown> | undefined;
  if (auth) {
    security = securityOf(doc, auth, file, unknownFields);
    if (security.token) authConfigs.authToken = security.token;
    const custom = auth.custom;
    if (custom) {
      const sources = authSources("", custom.header, custom.query, custom.cookie);
      // Tyk drops an all-default result (header off, nothing else set) rather than write auth_configs.coprocess.
      const allDefault = sources.disable_header && sources.auth_header_name === "" && !sources.use_param &&
        sources.param_name === "" && !sources.use_cookie && sources.cookie_name === "";
      if (!allDefault) authConfigs.coprocess = sources;
      if (custom.config) {
        authCheck = {
          name: custom.config.functionName,
          path: custom.config.path,
          disabled: !custom.config.enabled,
          raw_body_only: custom.config.rawBodyOnly,
          require_session: custom.config.requireSession,
        };
      }
    }
  }

  const global = x.middleware?.global;
  const plugin = global?.pluginConfig;
  const goPlugins = endpointPlugins(x, paths, file, origins, unknownFields);

  const classic: Record<string, unknown> = {
    api_id: x.info.id,
    name: x.info.name,
    org_id: x.info.orgId,
    active: x.info.state.active,
    internal: x.info.state.internal,
    is_oas: true,
    proxy: {
      listen_path: x.server.listenPath.value,
      strip_listen_path: x.server.listenPath.strip,
      target_url: x.upstream.url,
      preserve_host_header: x.upstream.preserveHostHeader?.enabled ?? false,
    },
    use_keyless: !auth?.enabled,
    use_standard_auth: security.useStandardAuth,
    // The chain builder reads the older `auth` field; Tyk reads auth_configs.authToken. Both get the same config.
    ...(security.token ? { auth: security.token } : {}),
    auth_configs: authConfigs,
    custom_plugin_auth_enabled: auth?.custom?.enabled ?? false,
    strip_auth_data: auth?.stripAuthorizationData ?? false,
    custom_middleware: {
      driver: plugin?.driver ?? "",
      pre: hookPlugins(global, "prePlugins", "prePlugin", "pre", origins),
      post_key_auth: hookPlugins(
        global,
        "postAuthenticationPlugins",
        "postAuthenticationPlugin",
        "post_key_auth",
        origins,
      ),
      post: hookPlugins(global, "postPlugins", "postPlugin", "post", origins),
      response: hookPlugins(global, "responsePlugins", "responsePlugin", "response", origins),
      ...(authCheck ? { auth_check: authCheck } : {}),
    },
    // PluginBundle / PluginConfigData.ExtractTo: an absent section reads as disabled.
    custom_middleware_bundle: plugin?.bundle?.path ?? "",
    custom_middleware_bundle_disabled: !plugin?.bundle?.enabled,
    config_data: plugin?.data?.value ?? {},
    config_data_disabled: !plugin?.data?.enabled,
    disable_rate_limit: global?.skipRateLimit ?? false,
    disable_quota: global?.skipQuota ?? false,
    // TrafficLogs.ExtractTo: an absent section records nothing.
    do_not_track: !global?.trafficLogs?.enabled,
    analytics_plugin: analyticsPlugin(global, origins, unknownFields),
    version_data: {
      not_versioned: true,
      default_version: "",
      // Tyk names this version "" (oas.Main); the name is internal, the chain builder serves the only version.
      versions: { Default: { name: "Default", use_extended_paths: true, extended_paths: { go_plugin: goPlugins } } },
    },
  };
  return { classic, origins, unknownFields };
}

/** analytics_plugin from trafficLogs.plugins (CustomAnalyticsPlugins.ExtractTo): Tyk uses the first; the others are reported. */
function analyticsPlugin(global: Global | null | undefined, origins: Origins, unknown: string[]) {
  const plugins = global?.trafficLogs?.plugins ?? [];
  const at = [...X, "middleware", "global", "trafficLogs", "plugins"];
  plugins.slice(1).forEach((_, i) => unknown.push(formatPath([...at, i + 1])));
  const p = plugins[0];
  if (!p) return { enable: false, plugin_path: "", func_name: "" };
  origins.push(
    ["analytics_plugin", formatPath([...at, 0])],
    ["analytics_plugin.plugin_path", formatPath([...at, 0, "path"])],
    ["analytics_plugin.func_name", formatPath([...at, 0, "functionName"])],
  );
  return { enable: p.enabled, plugin_path: p.path, func_name: p.functionName };
}

/**
 * Per-operation post plugins (Operation.extractEndpointPostPluginTo) as extended_paths.go_plugin entries, at the
 * path and method of the operation with that operationId, anchored at both ends. The path keeps its `{param}`
 * placeholders: the Classic matcher reads each as one path segment. Tyk uses only the first plugin of an operation; the others are reported.
 */
function endpointPlugins(x: XTyk, paths: Record<string, unknown>, file: string, origins: Origins, unknown: string[]) {
  const operations = x.middleware?.operations ?? {};
  const listed = operationList(paths);
  for (const [id, op] of Object.entries(operations)) {
    const plugins = op.postPlugins ?? [];
    const at = [...X, "middleware", "operations", id];
    plugins.slice(1).forEach((_, i) => unknown.push(formatPath([...at, "postPlugins", i + 1])));
    if (plugins.length > 0 && !listed.some((o) => o.id === id)) {
      // Tyk silently drops it; an endpoint plugin that never runs is better refused.
      throw ConfigError.of(file, formatPath(at), `no operation in paths has operationId ${JSON.stringify(id)}`);
    }
  }
  const entries = listed.filter((o) => (ownValue(operations, o.id)?.postPlugins ?? []).length > 0);
  return entries.map((ref, i) => {
    const p = (ownValue(operations, ref.id)?.postPlugins ?? [])[0];
    const at = [...X, "middleware", "operations", ref.id, "postPlugins", 0];
    const base = `version_data.versions.Default.extended_paths.go_plugin[${i}]`;
    origins.push(
      [base, formatPath(at)],
      [`${base}.path`, formatPath(["paths", ref.path])],
      [`${base}.plugin_path`, formatPath([...at, "path"])],
      [`${base}.func_name`, formatPath([...at, "functionName"])],
    );
    return {
      // An OAS operation is its exact path (Tyk finds it with an OpenAPI router), unlike
      // Classic patterns, which match anywhere in the path.
      path: `^${ref.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&")}$`,
      method: ref.method,
      plugin_path: p.path,
      func_name: p.functionName || p.name,
      disabled: !p.enabled,
    };
  });
}

/** Renames a Classic field in a problem to the document field it came from (the longest recorded prefix). */
function toDocumentField(field: string, origins: Origins): { field: string; known: boolean } {
  let best: [string, string] | undefined;
  for (const [classic, oas] of origins) {
    const covers = field === classic || field.startsWith(`${classic}.`) || field.startsWith(`${classic}[`);
    if (covers && (!best || classic.length > best[0].length)) best = [classic, oas];
  }
  return best ? { field: best[1] + field.slice(best[0].length), known: true } : { field, known: false };
}

// ---------------------------------------------------------------------------------------------------------------
// Entry points

/**
 * Validates a Tyk OAS document and converts it to the Classic form. Throws a ConfigError naming `file` and the
 * document's field(s) at fault, e.g. `x-tyk-api-gateway.upstream.url`.
 */
export function parseOasDefinition(data: unknown, file: string): ParsedOasDefinition {
  if (!isJsonObject(data)) throw ConfigError.of(file, "", "expected a JSON object (a Tyk OAS API definition)");
  const paths = checkOpenApi(data, file);
  const { value: x, unknownFields } = parseAt(XTykSchema, data[TYK_EXTENSION], file, X);
  const converted = convert(data, x, paths, file);
  let def: ApiDefinition;
  try {
    def = parseConfig(ApiDefinitionSchema, converted.classic, file).value;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(
      file,
      err.problems.map((p) => {
        const { field, known } = toDocumentField(p.field, converted.origins);
        return known
          ? { field, message: p.message }
          : { field, message: `${p.message} (in the Classic form of this definition)` };
      }),
    );
  }
  return { def, raw: data, unknownFields: [...unknownFields, ...converted.unknownFields] };
}

/**
 * What loadApiDefinitions reads each file with: a Tyk OAS document (isOasDocument) or else a Tyk Classic
 * definition. An OpenAPI document without Tyk's section is read as Classic, and its error says what is missing.
 */
export function parseAnyApiDefinition(
  data: unknown,
  file: string,
): ParsedApiDefinition & { kind: ApiDefinitionKind } {
  if (isOasDocument(data)) return { kind: "oas", ...parseOasDefinition(data, file) };
  try {
    return { kind: "classic", ...parseApiDefinition(data, file) };
  } catch (err) {
    if (err instanceof ConfigError && isJsonObject(data) && Object.hasOwn(data, "openapi")) {
      throw new ConfigError(file, [
        ...err.problems,
        {
          field: TYK_EXTENSION,
          message: "missing: this OpenAPI document was read as a Tyk Classic definition; " +
            "to serve it as a Tyk OAS API, add Tyk's x-tyk-api-gateway section",
        },
      ]);
    }
    throw err;
  }
}
