// Session behaviour shared by stores and the gateway.
import { type ApiLimit, type SessionState, sessionStateSchema } from "./types.ts";

/** Parses stored session JSON (as Tyk writes it into Redis); throws on anything that is not a session object. */
export function parseSession(json: string): SessionState {
  return sessionStateSchema.parse(JSON.parse(json));
}

/**
 * Tyk's KeyExpired: `expires` of 1 or more is a unix time after which the key is refused (401 "Key has expired,
 * please renew"); 0 or absent never expires.
 */
export function isSessionExpired(session: SessionState, nowMs: number): boolean {
  const expires = session.expires ?? 0;
  return expires >= 1 && nowMs > expires * 1000;
}

/** Tyk's APILimit.IsEmpty: no number set (an absent or null limit is empty too); such a limit defers to the session's. */
export function isEmptyLimit(limit: ApiLimit | null | undefined): boolean {
  if (limit == null) return true;
  return [
    limit.rate,
    limit.per,
    limit.throttle_interval,
    limit.throttle_retry_limit,
    limit.max_query_depth,
    limit.quota_max,
    limit.quota_renews,
    limit.quota_remaining,
    limit.quota_renewal_rate,
  ].every((n) => (n ?? 0) === 0);
}
