// Builds an API's middleware chain from its definition, in Tyk's order:
//   pre -> authentication -> policies -> post_key_auth (-> policies)
//       -> strip_auth_data -> key expiry -> access rights -> granular access -> rate limit and quota
//       -> the API's global rate limit -> Go virtual endpoints -> post -> upstream -> response
// Keyless APIs skip everything from authentication to the key's rate limit. The
// steps after authentication are the same whatever the auth method (standard
// auth token or a Go auth_check). Consecutive Go hooks with no gateway step
// between them become one step: one entry into Go per run of hooks. A plugin
// that cannot be loaded is logged now and answers 500 on the requests that
// reach it; the rest of the API keeps working. The API's analytics_plugin is
// loaded here too, by the same rules; its records are stored unchanged when
// it failed (as in Tyk), see analytics/recorder.ts.

import { Kind } from "../../ffi/abi.ts";
import { type ApiDefinition, compileTykPathPattern, type MiddlewareDefinition } from "../config/api-definition.ts";
import { compose } from "../gateway/compose.ts";
import { bufferedBody, type GatewayMiddleware } from "../gateway/state.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/index.ts";
import { accessRights } from "../middleware/access-rights/index.ts";
import { apiRateLimit } from "../middleware/api-rate-limit/index.ts";
import { type GateEntry, goPlugins, type HookEntry, type RequestHook } from "../middleware/go-plugin/index.ts";
import { granularAccess } from "../middleware/granular-access/index.ts";
import { keyExpired } from "../middleware/key-expired/index.ts";
import { applyPoliciesStep } from "../middleware/policies/index.ts";
import { proxyStep } from "../middleware/proxy/index.ts";
import { rateLimit } from "../middleware/rate-limit/index.ts";
import { responsePlugins } from "../middleware/response-plugin/index.ts";
import { standardAuth } from "../middleware/standard-auth/index.ts";
import { stripAuth } from "../middleware/strip-auth/index.ts";
import type { PluginDriver } from "../plugin-driver/index.ts";
import { resolvePluginPath } from "../plugin-driver/resolve.ts";
import type { PolicyStore } from "../policy/store.ts";
import type { UpstreamClient } from "../proxy/index.ts";
import type { LoadedApi, PluginSlot } from "../registry/types.ts";
import type { KeyStore } from "../store/types.ts";

export interface ChainDeps {
  driver: PluginDriver;
  store: KeyStore;
  /** The security policies keys name (the registry reloads them with the APIs). */
  policies: PolicyStore;
  metrics: Metrics;
  log: Logger;
  client: UpstreamClient;
  gatewayVersion: string;
  /** Relative plugin paths are resolved from here (the directory of tyk.conf, Tyk's working directory). */
  baseDir: string;
  pluginTimeoutMs: number;
  upstreamTimeoutMs: number;
  rateLimitHeaders: "quotas" | "rate_limits";
  hashKeys: boolean;
  /** tyk.conf analytics_config.enable_detailed_recording. */
  detailedRecording: boolean;
}

type Hook = RequestHook | "response" | "analytics";

/** Loads one plugin entry; failures are logged once here, at load. */
export function loadSlot(deps: ChainDeps, api: Pick<LoadedApi, "id" | "file">, hook: Hook, driverName: string, path: string, symbol: string): PluginSlot {
  const where = { api_id: api.id, file: api.file, hook, symbol };
  if (driverName !== "goplugin") {
    const error = `custom_middleware.driver is "${driverName}": only "goplugin" is supported by this gateway`;
    deps.log.error({ ...where, path }, `plugin not loaded: ${error}`);
    return { ok: false, path, symbol, error };
  }
  const file = resolvePluginPath(path, deps.gatewayVersion, deps.baseDir);
  // The JavaScript thread waits for a plugin's init no longer than for a call.
  const kind = hook === "response" ? Kind.RESPONSE : hook === "analytics" ? Kind.ANALYTICS : Kind.REQUEST;
  const res = deps.driver.load(file, symbol, kind, deps.pluginTimeoutMs);
  if (!res.ok) {
    deps.log.error({ ...where, path: file }, `plugin not loaded: ${res.error}`);
    return { ok: false, path: file, symbol, error: res.error };
  }
  deps.log.info({ ...where, path: res.plugin.path }, "plugin loaded");
  return { ok: true, plugin: res.plugin };
}

const enabled = (entries: MiddlewareDefinition[] | undefined) => (entries ?? []).filter((e) => !e.disabled && e.name);

/**
 * Go virtual endpoints of the version requests use (this gateway serves one
 * version per API). As in Tyk, extended paths apply only with use_extended_paths.
 */
function virtualEndpoints(def: ApiDefinition) {
  const versions = Object.values(def.version_data?.versions ?? {});
  const version = def.version_data?.default_version ? def.version_data.versions?.[def.version_data.default_version] : versions[0];
  if (!version?.use_extended_paths) return [];
  return (version.extended_paths?.go_plugin ?? []).filter((e) => !e.disabled);
}

export function buildChain(def: ApiDefinition, api: Omit<LoadedApi, "chain">, deps: ChainDeps): LoadedApi {
  const cm = def.custom_middleware;
  const driverName = cm?.driver || "goplugin";
  const slot = (hook: Hook, e: { path: string; name: string }) => {
    const s = loadSlot(deps, api, hook, driverName, e.path, e.name);
    api.plugins.push(s);
    return s;
  };
  const callDeps = { driver: deps.driver, metrics: deps.metrics, log: deps.log, timeoutMs: deps.pluginTimeoutMs, store: deps.store };

  // Steps in order; a run of Go hooks is gathered until the next gateway step.
  const chain: GatewayMiddleware[] = [];
  const detailedRecording = def.enable_detailed_recording || deps.detailedRecording;
  // A detailed record holds the request body, which would otherwise stream upstream and be gone.
  if (detailedRecording) chain.push(holdBody);
  let run: Array<HookEntry | GateEntry> = [];
  // wantSession: a step after the run (before the next) reads the session, which then comes back with the run.
  const flush = (wantSession: boolean) => {
    if (run.length > 0) chain.push(goPlugins({ ...callDeps, entries: run, wantSession }));
    run = [];
  };
  const hooks = (h: RequestHook, entries: MiddlewareDefinition[] | undefined) => {
    for (const e of enabled(entries)) run.push({ hook: h, slot: slot(h, e) });
  };
  const step = (mw: GatewayMiddleware, readsSession = false) => {
    flush(readsSession);
    chain.push(mw);
  };

  hooks("pre", cm?.pre);
  if (!def.use_keyless) {
    const pluginAuth = def.use_go_plugin_auth || def.custom_plugin_auth_enabled || def.enable_coprocess_auth;
    const authCheck = cm?.auth_check;
    const goAuth = !!(pluginAuth && authCheck && !authCheck.disabled);
    if (goAuth) hooks("auth_check", [authCheck]);
    else {
      step(standardAuth({
        store: deps.store,
        headerName: def.auth?.auth_header_name || def.auth_configs?.authToken?.auth_header_name || "Authorization",
        useParam: def.auth?.use_param,
        paramName: def.auth?.param_name,
        useCookie: def.auth?.use_cookie,
        cookieName: def.auth?.cookie_name,
      }));
    }
    // Tyk applies the session's policies in its auth step and after every Go plugin run. Right after Go hooks, a gate
    // in their run: Go goes on past it when the session names no policy, and stops there for the gateway to apply
    // them when it does (so post_key_auth gets the session as enforced); after the gateway's own auth, a step.
    const policies = (onError: "refuse" | "fail") => {
      const options = { policies: deps.policies, onError, log: deps.log };
      if (run.length > 0) run.push({ hook: "policies", policies: options });
      else step(applyPoliciesStep(options), true);
    };
    policies(goAuth ? "fail" : "refuse");
    const postKeyAuth = enabled(cm?.post_key_auth);
    if (postKeyAuth.length > 0) {
      hooks("post_key_auth", postKeyAuth);
      policies("fail");
    }
    if (def.strip_auth_data) step(stripAuth(def), true);
    step(keyExpired(), true);
    step(accessRights(def), true);
    step(granularAccess(), true);
    if (!def.disable_rate_limit || !def.disable_quota) {
      step(rateLimit({
        store: deps.store,
        headersFrom: deps.rateLimitHeaders,
        disableRateLimit: !!def.disable_rate_limit,
        disableQuota: !!def.disable_quota,
        hashKeys: deps.hashKeys,
      }), true);
    }
  }
  const globalLimit = def.global_rate_limit;
  if (!def.disable_rate_limit && !globalLimit.disabled && globalLimit.rate > 0) {
    step(apiRateLimit({
      store: deps.store,
      apiId: def.api_id,
      orgId: def.org_id,
      rate: globalLimit.rate,
      per: globalLimit.per,
      headersFrom: deps.rateLimitHeaders,
      hashKeys: deps.hashKeys,
    }));
  }
  for (const v of virtualEndpoints(def)) {
    run.push({
      hook: "virtual",
      slot: slot("virtual", { path: v.plugin_path, name: v.func_name }),
      // Tyk's default URL matching: the pattern may match anywhere in the path after the listen path.
      match: { method: v.method.toUpperCase(), pattern: compileTykPathPattern(v.path) },
    });
  }
  hooks("post", cm?.post);
  flush(false);
  const responseSlots = enabled(cm?.response).map((e) => slot("response", e));
  const last = proxyStep({
    client: deps.client,
    timeoutMs: deps.upstreamTimeoutMs,
    preserveHost: !!def.proxy.preserve_host_header,
    stripListenPath: !!def.proxy.strip_listen_path,
    responseStep: responseSlots.length > 0 ? responsePlugins({ ...callDeps, slots: responseSlots }) : undefined,
    log: deps.log,
  });
  return { ...api, chain: compose(chain, last), analyticsPlugin: analyticsPlugin(def, api, deps), detailedRecording };
}

const holdBody: GatewayMiddleware = async function holdBody(c, next) {
  await bufferedBody(c.get("gw"));
  return next();
};

/** The API's analytics_plugin, loaded as Tyk loads it: a Go plugin whatever custom_middleware.driver says. */
function analyticsPlugin(def: ApiDefinition, api: Omit<LoadedApi, "chain">, deps: ChainDeps): PluginSlot | undefined {
  const ap = def.analytics_plugin;
  if (!ap.enable) return undefined;
  let s: PluginSlot;
  if (ap.plugin_path === "" || ap.func_name === "") {
    const error = "analytics_plugin is enabled but names no plugin_path or no func_name";
    deps.log.error({ api_id: api.id, file: api.file, hook: "analytics" }, `plugin not loaded: ${error}`);
    s = { ok: false, path: ap.plugin_path, symbol: ap.func_name, error };
  } else s = loadSlot(deps, api, "analytics", "goplugin", ap.plugin_path, ap.func_name);
  api.plugins.push(s);
  return s;
}
