// A Go plugin request hook in an API's chain: `pre`, `auth_check`,
// `post_key_auth`, `post`, or a Go virtual endpoint (extended_paths.go_plugin).
// As in Tyk, a plugin that writes a response ends the request there; headers
// it sets on the ResponseWriter without writing reach the client; changes to
// the request reach later hooks and the upstream.

import { TykMessage, tykError } from "../../gateway/errors.ts";
import type { GatewayMiddleware } from "../../gateway/state.ts";
import type { PluginSlot } from "../../registry/types.ts";
import type { KeyStore } from "../../store/types.ts";
import { type PluginCallDeps, runPlugin } from "./call.ts";
import { applyRequestChanges, callRequest, pluginResponse } from "./request.ts";

export type RequestHook = "pre" | "auth_check" | "post_key_auth" | "post" | "virtual";

export interface GoPluginOptions extends PluginCallDeps {
  slot: PluginSlot;
  hook: RequestHook;
  /** Where a session a plugin asks to save (SetSession(..., true)) is stored. */
  store: KeyStore;
  /** Virtual endpoints: run only for this method and path pattern (relative to the listen path). */
  match?: { method: string; pattern: RegExp };
}

export function goPlugin(opts: GoPluginOptions): GatewayMiddleware {
  const { slot, hook, match } = opts;
  return async function goPluginMiddleware(c, next) {
    const st = c.var.gw;
    if (match && (st.method !== match.method || !match.pattern.test(st.path.slice(st.api.listenPath.length - 1)))) {
      return next();
    }
    if (!slot.ok) return tykError(500, TykMessage.internal);
    const req = callRequest(st);
    const r = await runPlugin(opts, slot.plugin, "request", st, req instanceof Promise ? await req : req);
    if (r instanceof Response) return r;
    applyRequestChanges(st, r);
    if (r.responded) return pluginResponse(st, r.responded.status, r.responded.body);
    if (st.sessionUpdate && st.session && st.authToken) {
      await opts.store.setSession(st.authToken, st.session);
      st.sessionUpdate = false;
    }
    // Custom auth must set a session; fail closed when it did not.
    if (hook === "auth_check" && !st.session) return tykError(403, TykMessage.keyNotAuthorized);
    return next();
  };
}
