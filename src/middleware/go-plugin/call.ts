// One plugin call from the chain, with what every hook does around it: the
// timeout, Tyk's instrumentation, and a generic 500 for a panic.
import { CallAbandonedError } from "../../../ffi/shim.ts";
import type { CallRequest, CallResult } from "../../../ffi/wire.ts";
import { TykMessage, tykError } from "../../gateway/errors.ts";
import type { RequestState } from "../../gateway/state.ts";
import type { Logger } from "../../log.ts";
import type { Metrics } from "../../metrics/index.ts";
import type { LoadedPlugin, PluginDriver } from "../../plugin-driver/index.ts";

export interface PluginCallDeps {
  driver: PluginDriver;
  metrics: Metrics;
  log: Logger;
  /** A call not answered by then fails its request with 504. */
  timeoutMs: number;
}

/** Runs the call; a Response means the request ends with it. */
export async function runPlugin(
  deps: PluginCallDeps,
  plugin: LoadedPlugin,
  kind: "request" | "response",
  st: RequestState,
  req: CallRequest,
): Promise<CallResult | Response> {
  try {
    const outcome = await deps.driver.call(plugin, st.api.shimApi, st.api.id, req, deps.timeoutMs);
    deps.metrics.pluginCall(kind, plugin.path, plugin.symbol, outcome.result.execNs, outcome.status === "panic");
    return outcome.status === "panic" ? tykError(500, TykMessage.internal) : outcome.result;
  } catch (err) {
    if (!(err instanceof CallAbandonedError)) throw err;
    deps.metrics.pluginCall(kind, plugin.path, plugin.symbol, deps.timeoutMs * 1e6, true);
    deps.log.error(
      { api_id: st.api.id, plugin: plugin.path, symbol: plugin.symbol, request_id: st.id },
      `plugin call timed out after ${deps.timeoutMs} ms`,
    );
    return tykError(504, "Plugin call timed out");
  }
}
