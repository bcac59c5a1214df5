// Tyk's RateLimitForAPI: the API's own global_rate_limit (`rate` requests per `per` seconds), counted for every
// request of the API whoever sends it, keyless APIs included, after the key's own limits.

import { TykMessage, tykError } from "../../gateway/errors.ts";
import { withHeaders } from "../../gateway/response.ts";
import type { GatewayMiddleware } from "../../gateway/state.ts";
import { rateLimitHit } from "../../rate-limit/index.ts";
import { keyHash, rateLimitStorageKey } from "../../store/keys.ts";
import type { KeyStore } from "../../store/types.ts";

export interface ApiRateLimitOptions {
  store: KeyStore;
  apiId: string;
  orgId: string;
  rate: number;
  per: number;
  headersFrom: "quotas" | "rate_limits";
  hashKeys: boolean;
}

/**
 * The step (Tyk leaves it out when there is no rate, global_rate_limit is disabled, or disable_rate_limit). The
 * counter is Tyk's: "rate-limit-" + the (hashed, with hash_keys) name "apilimiter-<org_id><api_id>", shared by
 * every gateway on one Redis. Refusals are 429 "API Rate Limit Exceeded". With "rate_limits" headers, its
 * X-RateLimit-* values go on the answer unless the key's own rate limit set them (that step runs around this one
 * and sets its own over them).
 */
export function apiRateLimit(opts: ApiRateLimitOptions): GatewayMiddleware {
  const bucket = rateLimitStorageKey(keyHash(`apilimiter-${opts.orgId}${opts.apiId}`, opts.hashKeys));
  const withRateHeaders = opts.headersFrom === "rate_limits";
  return async function apiRateLimitMiddleware(_c, next) {
    const hit = await rateLimitHit(opts.store, bucket, opts.rate, opts.per, Date.now());
    const headers = hit && withRateHeaders ? hit.headers : {};
    if (hit && !hit.allowed) return tykError(429, TykMessage.apiRateLimited, headers);
    return withHeaders(await next(), headers);
  };
}
