// Go plugin request hooks in an API's chain: `pre`, `auth_check`,
// `post_key_auth`, `post`, and Go virtual endpoints (extended_paths.go_plugin).
// Consecutive hooks with no step of the gateway between them run in one
// entry into Go, on the request's one live Go twin. As in Tyk, a plugin that
// writes a response ends the request there; headers it sets on the
// ResponseWriter without writing reach the client; changes to the request
// reach later hooks and the upstream.

import type { PathPattern } from "../../config/api-definition.ts";
import { TykMessage, tykError } from "../../gateway/errors.ts";
import { decodedPath } from "../../gateway/request-path.ts";
import { currentSession, type GatewayMiddleware, type RequestState } from "../../gateway/state.ts";
import type { LoadedPlugin } from "../../plugin-driver/index.ts";
import type { PluginSlot } from "../../registry/types.ts";
import type { KeyStore } from "../../store/types.ts";
import { type PluginCallDeps, runHooks } from "./call.ts";
import { applyRequestChanges, pluginResponse } from "./request.ts";

export type RequestHook = "pre" | "auth_check" | "post_key_auth" | "post" | "virtual";

/** One hook of a run. */
export interface HookEntry {
  slot: PluginSlot;
  hook: RequestHook;
  /** Virtual endpoints: run only for this method and path pattern (relative to the listen path). */
  match?: { method: string; pattern: PathPattern };
}

export interface GoPluginsOptions extends PluginCallDeps {
  hooks: HookEntry[];
  /** Where a session a plugin asks to save (SetSession(..., true)) is stored. */
  store: KeyStore;
}

// As Tyk: the decoded path (r.URL.Path) after the listen path, so encoding a
// character (/%61dmin) neither hides a request from an endpoint nor adds one.
function matches(st: RequestState, e: HookEntry): boolean {
  const m = e.match;
  return !m || (st.method === m.method && m.pattern.test(decodedPath(st.path.slice(st.api.listenPath.length - 1))));
}

/**
 * The hooks a run executes: those up to the first that could not be loaded
 * (that one answers 500, as in Tyk: `broken`), with the index of the
 * auth_check among them (-1 when none).
 */
export interface RunPlan {
  plugins: LoadedPlugin[];
  broken: boolean;
  authCheck: number;
}

export function planRun(entries: ReadonlyArray<Pick<HookEntry, "slot"> & { hook?: RequestHook | "response" }>): RunPlan {
  const plugins: LoadedPlugin[] = [];
  let authCheck = -1;
  for (const e of entries) {
    if (!e.slot.ok) return { plugins, broken: true, authCheck };
    if (e.hook === "auth_check") authCheck = plugins.length;
    plugins.push(e.slot.plugin);
  }
  return { plugins, broken: false, authCheck };
}

export function goPlugins(opts: GoPluginsOptions): GatewayMiddleware {
  const { hooks } = opts;
  // Without virtual endpoints every request runs the same hooks: plan once.
  const fixed = hooks.some((e) => e.match) ? undefined : planRun(hooks);
  return async function goPluginsMiddleware(c, next) {
    const st = c.var.gw;
    const { plugins, broken, authCheck } = fixed ?? planRun(hooks.filter((e) => matches(st, e)));
    if (plugins.length > 0) {
      const r = await runHooks(opts, "request", st, plugins, {}, authCheck, c.req.raw.signal);
      if (r instanceof Response) return r;
      applyRequestChanges(st, r, () => opts.driver.session(st.goRequest));
      if (st.sessionUpdate && st.authToken) {
        const session = currentSession(st);
        if (session) await opts.store.setSession(st.authToken, session);
        st.sessionUpdate = false;
      }
      if (r.responded) return pluginResponse(st, r.responded);
      // Custom auth must set a session; fail closed when it did not.
      if (r.noSession) return tykError(403, TykMessage.keyNotAuthorized);
    }
    if (broken) return tykError(500, TykMessage.internal);
    return next();
  };
}
