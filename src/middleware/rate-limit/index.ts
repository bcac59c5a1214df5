// Tyk's RateLimitAndQuotaCheck: the rate limit and quota of the request's session (the API's own limit in its access
// rights when it has one), after authentication, with Tyk's X-RateLimit-* headers on the answer.

import { isGatewayError, tykError } from "../../gateway/errors.ts";
import { withHeaders } from "../../gateway/response.ts";
import { currentSession, type GatewayMiddleware } from "../../gateway/state.ts";
import { checkLimits, LIMIT_ERRORS } from "../../rate-limit/index.ts";
import { keyHash } from "../../store/keys.ts";
import type { KeyStore } from "../../store/types.ts";

export interface RateLimitOptions {
  store: KeyStore;
  headersFrom: "quotas" | "rate_limits";
  disableRateLimit: boolean;
  disableQuota: boolean;
  /** Counters are kept under the key's hash when hash_keys is on, as in Tyk. */
  hashKeys: boolean;
}

/**
 * The step (Tyk leaves it out when the API disables both rate limit and quota). Quota headers go only on answers
 * that are not the gateway's own errors, as Tyk adds them when it proxies; rate-limit headers go on every answer,
 * refusals included, as Tyk sets them before deciding.
 */
export function rateLimit(opts: RateLimitOptions): GatewayMiddleware {
  return async function rateLimitMiddleware(c, next) {
    const st = c.var.gw;
    const session = currentSession(st);
    if (!session) return next();
    const decision = await checkLimits(opts.store, keyHash(st.authToken, opts.hashKeys), st.api.id, session, {
      nowMs: Date.now(),
      headersFrom: opts.headersFrom,
      disableRateLimit: opts.disableRateLimit,
      disableQuota: opts.disableQuota,
    });
    if (decision.status !== "ok") {
      const { status, message } = LIMIT_ERRORS[decision.status];
      return tykError(status, message, decision.headers);
    }
    st.session = decision.session;
    st.sessionJson = undefined;
    if (decision.quota) st.goChanges.quota = decision.quota;
    const res = await next();
    return opts.headersFrom === "quotas" && isGatewayError(res) ? res : withHeaders(res, decision.headers);
  };
}
