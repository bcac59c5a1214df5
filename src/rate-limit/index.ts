// Tyk's rate limit and quota decision for one request (gateway SessionLimiter.ForwardMessage), independent of where
// the counters live. The rate limit is Tyk's Redis rolling-window limiter (sliding log); the quota follows Tyk's
// RedisQuotaExceeded.
import type { QuotaPatch } from "../../ffi/wire.ts";
import { dataMap, ownValue } from "../config/records.ts";
import { TykMessage } from "../gateway/errors.ts";
import { quotaStorageKey, rateLimitStorageKey } from "../store/keys.ts";
import { isEmptyLimit } from "../store/session.ts";
import type { ApiLimit, KeyStore, SessionState } from "../store/types.ts";

export type LimitStatus = "ok" | "rate_limited" | "quota_exceeded";

export interface LimitDecision {
  status: LimitStatus;
  /**
   * X-RateLimit-Limit / -Remaining / -Reset as Tyk sends them. From "quotas" (Tyk's default): the key's quota max,
   * remaining and renewal time (unix s), on allowed requests only (Tyk adds them to the proxied response, never to a
   * 429/403). From "rate_limits": the rate, the requests left in the window and when it has room again (unix s),
   * whenever the rate limiter ran, refused requests included. Empty when there is nothing to send.
   */
  headers: Record<string, string>;
  /** The session with quota_remaining / quota_renews updated, for the caller to persist. */
  session: SessionState;
  /** What the quota step wrote into the session, when it counted this request. */
  quota?: QuotaPatch;
}

export interface CheckLimitsOptions {
  nowMs: number;
  /** Where the X-RateLimit-* values come from; Tyk's default is "quotas". */
  headersFrom?: "quotas" | "rate_limits";
  /** The API definition's disable_rate_limit. */
  disableRateLimit?: boolean;
  /** The API definition's disable_quota. */
  disableQuota?: boolean;
}

/** What Tyk answers for a refused request (RateLimitAndQuotaCheck); the body is `{"error": message}`. */
export const LIMIT_ERRORS = {
  rate_limited: { status: 429, message: TykMessage.rateLimited },
  quota_exceeded: { status: 403, message: TykMessage.quotaExceeded },
} as const;

/**
 * Counts one request of the key against its rate limit, then its quota (a rate-limited request uses no quota).
 * `keyHashOrKey` is the key's hash while hash_keys is on, else the key (see keyHash in store/keys.ts); counters are
 * stored under Tyk's names for it.
 */
export async function checkLimits(
  store: KeyStore,
  keyHashOrKey: string,
  apiId: string,
  session: SessionState,
  opts: CheckLimitsOptions,
): Promise<LimitDecision> {
  const updated = copyForQuota(session);
  let quota: QuotaPatch | undefined;
  const decide = (status: LimitStatus, rateHeaders?: Record<string, string>): LimitDecision => ({
    quota,
    status,
    headers: opts.headersFrom === "rate_limits"
      ? rateHeaders ?? {}
      : status === "ok"
      ? quotaHeaders(updated, apiId)
      : {},
    session: updated,
  });

  const effective = effectiveLimit(updated, apiId);
  // Tyk refuses a key whose access rights do not list this API as rate limited.
  if (effective === undefined) return decide("rate_limited");
  const { limit, scope } = effective;

  let rateHeaders: Record<string, string> | undefined;
  if (!opts.disableRateLimit) {
    const hit = await rateLimitHit(store, rateLimitStorageKey(keyHashOrKey, scope), limit.rate ?? 0, limit.per ?? 0, opts.nowMs);
    rateHeaders = hit?.headers;
    if (hit && !hit.allowed) return decide("rate_limited", rateHeaders);
  }

  const quotaMax = limit.quota_max ?? 0;
  // quota_max -1 (or anything <= 0) is unlimited: nothing is counted and the session is left as it is.
  if (!opts.disableQuota && quotaMax > 0) {
    const used = await store.quotaConsume(
      quotaStorageKey(keyHashOrKey, scope),
      quotaMax,
      limit.quota_renewal_rate ?? 0,
      opts.nowMs,
    );
    quota = setQuotaState(updated, scope, used.remaining, Math.floor(used.renewsAtMs / 1000));
    if (!used.allowed) return decide("quota_exceeded", rateHeaders);
  }

  return decide("ok", rateHeaders);
}

/**
 * One request against `rate` requests per `per` seconds in the sliding log `bucket` (a full storage key), with the
 * X-RateLimit-* values Tyk's "rate_limits" headers carry. Undefined when there is no rate limit: a rate of 0 or less
 * (a per of 0 or less leaves an empty window, so nothing is refused).
 */
export async function rateLimitHit(
  store: KeyStore,
  bucket: string,
  rate: number,
  per: number,
  nowMs: number,
): Promise<{ allowed: boolean; headers: Record<string, string> } | undefined> {
  if (rate <= 0) return undefined;
  const { max, windowMs } = slidingWindow(rate, per);
  const hit = await store.rateLimitHit(bucket, max, windowMs, nowMs);
  return {
    allowed: hit.allowed,
    headers: {
      "X-RateLimit-Limit": String(max),
      "X-RateLimit-Remaining": String(Math.max(0, max - hit.count)),
      "X-RateLimit-Reset": String(Math.floor((nowMs + hit.resetMs) / 1000)),
    },
  };
}

/** The longest rate-limit window, about 285 000 years: longer than any key lives, and still exact in milliseconds. */
const MAX_WINDOW_MS = Number.MAX_SAFE_INTEGER;

/**
 * The sliding log for `rate` requests per `per` seconds: `max` hits per window of `windowMs`. A whole rate is Tyk's
 * log as it is (rate hits per `per` seconds). A fractional rate or per is honoured as written, on average: the log
 * allows the whole part of the rate (at least 1) per a window stretched to match, so 0.5 per 1 s is one request per
 * 2 s, and 1.5 per 1 s one per 667 ms. (Tyk's limiters truncate both to whole numbers: its Redis rolling limiter then
 * refuses every request for a rate under 1, and its default one lets one request through per whole-second window.)
 */
function slidingWindow(rate: number, per: number): { max: number; windowMs: number } {
  const max = Math.max(1, Math.floor(rate));
  // Capped so that a tiny rate or a huge per stays a number both stores (Redis TTLs included) can hold.
  return { max, windowMs: per > 0 ? Math.min((per * 1000 * max) / rate, MAX_WINDOW_MS) : 0 };
}

/**
 * Tyk's GetAccessDefinitionByAPIIDOrSession: with access rights, the API's own `limit` wins when it sets anything,
 * else the session-level fields apply; the API's allowance_scope names the counters. Undefined when access rights
 * exist but do not include the API.
 */
function effectiveLimit(session: SessionState, apiId: string): { limit: ApiLimit; scope: string } | undefined {
  const rights = session.access_rights ?? {};
  if (Object.keys(rights).length === 0) return { limit: session, scope: "" };
  const access = ownValue(rights, apiId);
  if (access === undefined) return undefined;
  return {
    limit: access.limit && !isEmptyLimit(access.limit) ? access.limit : session,
    scope: access.allowance_scope ?? "",
  };
}

/**
 * A copy deep enough for setQuotaState to write into (the session, its
 * access_rights entries and their limits) without touching the caller's
 * session. structuredClone of a whole session cost ~100 us per request here.
 * access_rights stays a map of data (null prototype), as parsed.
 */
function copyForQuota(session: SessionState): SessionState {
  const copy = { ...session };
  if (session.access_rights) {
    copy.access_rights = dataMap(
      Object.entries(session.access_rights).map(([id, a]) => [id, a.limit ? { ...a, limit: { ...a.limit } } : { ...a }]),
    );
  }
  return copy;
}

/**
 * Tyk's updateSessionQuota: every per-API limit sharing the allowance scope gets the new values, and the
 * session-level fields too when the scope is empty. Returns what it wrote, for the request's Go twin.
 */
function setQuotaState(session: SessionState, scope: string, remaining: number, renews: number): QuotaPatch {
  const apiIds: string[] = [];
  for (const [id, access] of Object.entries(session.access_rights ?? {})) {
    if (!access.limit || isEmptyLimit(access.limit) || (access.allowance_scope ?? "") !== scope) continue;
    access.limit.quota_remaining = remaining;
    access.limit.quota_renews = renews;
    apiIds.push(id);
  }
  if (scope === "") {
    session.quota_remaining = remaining;
    session.quota_renews = renews;
  }
  return { apiIds, sessionLevel: scope === "", remaining, renews };
}

/** Tyk's quota headers: from the API's own limit when it sets anything, else from the session (GetQuotaLimitByAPIID). */
function quotaHeaders(session: SessionState, apiId: string): Record<string, string> {
  const access = ownValue(session.access_rights, apiId);
  const source = access?.limit && !isEmptyLimit(access.limit) ? access.limit : session;
  const int = (n: number | undefined) => String(Math.trunc(n ?? 0));
  return {
    "X-RateLimit-Limit": int(source.quota_max),
    "X-RateLimit-Remaining": int(source.quota_remaining),
    "X-RateLimit-Reset": int(source.quota_renews),
  };
}
