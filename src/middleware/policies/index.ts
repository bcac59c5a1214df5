// Applying the session's security policies right after authentication (and again after post_key_auth hooks, which
// may change the session), as Tyk does inside its auth middlewares and after every Go plugin run: the session later
// steps and hooks get is the one the gateway enforces.

import { TykMessage, tykError } from "../../gateway/errors.ts";
import { currentSession, type GatewayMiddleware, type RequestState, setSession } from "../../gateway/state.ts";
import type { Logger } from "../../log.ts";
import { applyPolicies, policiesToApply, type PolicyLookup } from "../../policy/apply.ts";

export interface ApplyPoliciesOptions {
  policies: PolicyLookup;
  /**
   * Tyk's answer when the policies cannot be applied (one missing, of another org, or mixing per_api with
   * partitions): standard auth treats the key as unknown (403 "Access to this API has been disallowed"); after a Go
   * plugin run the request fails (500 "Internal Server Error").
   */
  onError: "refuse" | "fail";
  log: Logger;
}

/**
 * Applies the session's policies to the request's session (Tyk's policy service); undefined when the request goes
 * on, else the answer that ends it (see `onError`). A session that names no policy is only normalised as Tyk does
 * (meta_data an empty map, per-API limits counted apart), and kept as it is, without a copy, when that changes
 * nothing. Inside a run of Go hooks Go does this for a session that names none (a policies gate: see RunStep), and
 * the gateway only for one that names policies.
 */
export function enforcePolicies(st: RequestState, opts: ApplyPoliciesOptions): Response | undefined {
  const session = currentSession(st);
  if (!session) return undefined;
  const out = applyPolicies(session, opts.policies, st.api.orgId);
  if (out.error !== undefined) {
    opts.log.error({ api_id: st.api.id, request_id: st.id, policies: policiesToApply(session) }, `policies not applied: ${out.error}`);
    return opts.onError === "refuse" ? tykError(403, TykMessage.keyNotAuthorized) : tykError(500, TykMessage.internal);
  }
  // The next Go run gets the session the gateway will enforce, into the object hooks have if they have it.
  if (out.session !== session) setSession(st, out.session, true);
  return undefined;
}

/** The step, for a session the gateway's own authentication loaded (see enforcePolicies). */
export function applyPoliciesStep(opts: ApplyPoliciesOptions): GatewayMiddleware {
  return function applyPoliciesMiddleware(c, next) {
    const refused = enforcePolicies(c.var.gw, opts);
    return refused ? Promise.resolve(refused) : next();
  };
}
