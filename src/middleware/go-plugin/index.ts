// Go plugin request hooks in an API's chain: `pre`, `auth_check`,
// `post_key_auth`, `post`, and Go virtual endpoints (extended_paths.go_plugin).
// Consecutive hooks with no step of the gateway between them run in one
// entry into Go, on the request's one live Go twin. As in Tyk, a plugin that
// writes a response ends the request there; headers it sets on the
// ResponseWriter without writing reach the client; changes to the request
// reach later hooks and the upstream.

import { TykMessage, tykError } from "../../gateway/errors.ts";
import type { GatewayMiddleware, RequestState } from "../../gateway/state.ts";
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
  match?: { method: string; pattern: RegExp };
}

export interface GoPluginsOptions extends PluginCallDeps {
  hooks: HookEntry[];
  /** Where a session a plugin asks to save (SetSession(..., true)) is stored. */
  store: KeyStore;
}

function matches(st: RequestState, e: HookEntry): boolean {
  const m = e.match;
  return !m || (st.method === m.method && m.pattern.test(st.path.slice(st.api.listenPath.length - 1)));
}

export function goPlugins(opts: GoPluginsOptions): GatewayMiddleware {
  const { hooks } = opts;
  const anyMatch = hooks.some((e) => e.match);
  return async function goPluginsMiddleware(c, next) {
    const st = c.var.gw;
    const entries = anyMatch ? hooks.filter((e) => matches(st, e)) : hooks;
    // Hooks run up to the first that could not be loaded; that one answers 500, as in Tyk.
    const broken = entries.findIndex((e) => !e.slot.ok);
    const runnable = (broken < 0 ? entries : entries.slice(0, broken)) as Array<HookEntry & { slot: { ok: true; plugin: LoadedPlugin } }>;
    if (runnable.length > 0) {
      const authCheck = runnable.findIndex((e) => e.hook === "auth_check");
      const r = await runHooks(opts, "request", st, runnable.map((e) => e.slot.plugin), {}, authCheck);
      if (r instanceof Response) return r;
      applyRequestChanges(st, r);
      if (st.sessionUpdate && st.session && st.authToken) {
        await opts.store.setSession(st.authToken, st.session);
        st.sessionUpdate = false;
      }
      if (r.responded) return pluginResponse(st, r.responded);
      // Custom auth must set a session; fail closed when it did not.
      if (r.noSession) return tykError(403, TykMessage.keyNotAuthorized);
    }
    if (broken >= 0) return tykError(500, TykMessage.internal);
    return next();
  };
}
