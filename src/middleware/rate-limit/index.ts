// Rate limit and quota of the request's session, as Tyk enforces them after
// authentication, with Tyk's X-RateLimit-* headers on the answer.

import { TykMessage, tykError } from "../../gateway/errors.ts";
import { withHeaders } from "../../gateway/response.ts";
import { currentSession, type GatewayMiddleware } from "../../gateway/state.ts";
import { checkLimits } from "../../rate-limit/index.ts";
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
    if (decision.status === "rate_limited") return tykError(429, TykMessage.rateLimited, decision.headers);
    if (decision.status === "quota_exceeded") return tykError(403, TykMessage.quotaExceeded, decision.headers);
    st.session = decision.session;
    st.sessionJson = undefined;
    if (decision.quota) st.goChanges.quota = decision.quota;
    return withHeaders(await next(), decision.headers);
  };
}
