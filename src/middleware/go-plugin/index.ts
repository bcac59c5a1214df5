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
import { isGate, type PoliciesGate, type RunStep } from "../../plugin-driver/index.ts";
import { type ApplyPoliciesOptions, enforcePolicies } from "../policies/index.ts";
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

/** A policies gate between hooks of a run: where Tyk applies the session's policies (see RunStep). */
export interface GateEntry {
  hook: "policies";
  policies: ApplyPoliciesOptions;
}

export interface GoPluginsOptions extends PluginCallDeps {
  entries: Array<HookEntry | GateEntry>;
  /** Where a session a plugin asks to save (SetSession(..., true)) is stored. */
  store: KeyStore;
  /** A step that reads the session follows: it comes back with the run (RunRequest.wantSession). */
  wantSession: boolean;
}

/** A policies gate as a run carries it, with what the gateway does when Go stops there. */
interface PlannedGate extends PoliciesGate {
  readonly options: ApplyPoliciesOptions;
}

// As Tyk: the decoded path (r.URL.Path) after the listen path, so encoding a
// character (/%61dmin) neither hides a request from an endpoint nor adds one.
function matches(st: RequestState, e: HookEntry | GateEntry): boolean {
  const m = e.hook === "policies" ? undefined : e.match;
  return !m || (st.method === m.method && m.pattern.test(decodedPath(st.path.slice(st.api.listenPath.length - 1))));
}

/**
 * The steps a run executes: hooks up to the first that could not be loaded
 * (that one answers 500, as in Tyk: `broken`), and the policies gates
 * between them.
 */
export interface RunPlan {
  steps: RunStep[];
  broken: boolean;
}

export function planRun(entries: ReadonlyArray<Pick<HookEntry, "slot"> & { hook?: RequestHook | "response" } | GateEntry>): RunPlan {
  const steps: RunStep[] = [];
  for (const e of entries) {
    if (e.hook === "policies") {
      const gate: PlannedGate = { policiesGate: true, options: e.policies };
      steps.push(gate);
      continue;
    }
    if (!e.slot.ok) return { steps, broken: true };
    steps.push(e.slot.plugin);
  }
  return { steps, broken: false };
}

/** Where a gated run stopped: the first gate after its `hooksRun` hooks. */
function gateIndex(steps: readonly RunStep[], hooksRun: number): number {
  let hooks = 0;
  for (let i = 0; i < steps.length; i++) {
    if (isGate(steps[i])) {
      if (hooks === hooksRun) return i;
    } else hooks++;
  }
  throw new Error(`a run stopped at a policies gate after ${hooksRun} hooks, but has none there`);
}

export function goPlugins(opts: GoPluginsOptions): GatewayMiddleware {
  const { entries } = opts;
  // Without virtual endpoints every request runs the same steps: plan once.
  const fixed = entries.some((e) => e.hook !== "policies" && e.match) ? undefined : planRun(entries);
  return async function goPluginsMiddleware(c, next) {
    const st = c.var.gw;
    const plan = fixed ?? planRun(entries.filter((e) => matches(st, e)));
    // Each pass runs up to the first gate Go stops at; a session that names policies gets them there, from the gateway.
    let { steps } = plan;
    while (steps.length > 0) {
      const r = await runHooks(opts, "request", st, steps, { wantSession: opts.wantSession }, c.req.raw.signal);
      if (r instanceof Response) return r;
      applyRequestChanges(st, r, () => opts.driver.session(st.goRequest));
      if (st.sessionUpdate && st.authToken) {
        const session = currentSession(st);
        if (session) await opts.store.setSession(st.authToken, session);
        st.sessionUpdate = false;
      }
      if (r.responded) return pluginResponse(st, r.responded);
      if (!r.gated) break;
      const at = gateIndex(steps, r.hooks.length);
      const refused = enforcePolicies(st, (steps[at] as PlannedGate).options);
      if (refused) return refused;
      steps = steps.slice(at + 1);
    }
    if (plan.broken) return tykError(500, TykMessage.internal);
    return next();
  };
}
