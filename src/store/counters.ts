// The arithmetic of Tyk's rolling-window log and quota counter, shared by the embedded stores (process memory,
// SQLite) so that wherever the counters live, every decision is computed the same way. Redis computes the same in Lua.
import type { QuotaConsumption, RateLimitHit } from "./types.ts";

/**
 * The answer to one hit on a rolling window, once the log has been updated. `before`: hits in the window before this
 * one (at most the log's capacity); `at`: this hit's time in the log (never before the log's newest);
 * `limitThNewest`: the time of the `limit`-th newest hit, this one included, read only when the window is full.
 */
export function windowAnswer(
  before: number,
  limit: number,
  at: number,
  windowMs: number,
  nowMs: number,
  limitThNewest: () => number,
): RateLimitHit {
  const remaining = Math.max(0, limit - before - 1);
  let resetMs = 0;
  if (remaining === 0) {
    // Tyk: the window has room again once the limit-th newest hit (this one included) leaves it; for the hit that
    // just used the last slot Tyk reports a whole window.
    const earliest = before >= limit && limit > 0 ? limitThNewest() : at;
    resetMs = Math.max(0, earliest + windowMs - nowMs);
  }
  return { allowed: before < limit, count: before + 1, resetMs };
}

/**
 * Hits a rolling-window log keeps: only the newest `limit` can decide anything (a hit is refused when the limit-th
 * newest is still in the window), so memory per bucket is bounded by the limit, not by traffic. The price: when a
 * key's limit is raised, hits beyond the old limit are already forgotten, so at most the difference can pass early
 * within the current window (Redis, which logs every hit, would count them).
 */
export function logCapacity(limit: number): number {
  return Math.max(1, limit);
}

/** A quota counter as Tyk keeps it in Redis: a count, and when its period ends (a TTL). */
export interface QuotaCounter {
  count: number;
  /** Undefined for a quota that never renews (a Redis key without TTL). */
  expiresAtMs: number | undefined;
}

/** The counter unless its period has ended (Redis would have dropped it with its TTL). */
export function liveQuota(counter: QuotaCounter | undefined, nowMs: number): QuotaCounter | undefined {
  return counter?.expiresAtMs !== undefined && counter.expiresAtMs <= nowMs ? undefined : counter;
}

/** Counts one request on the live counter `current` (undefined: none running); returns the counter to store. */
export function consumeQuota(
  current: QuotaCounter | undefined,
  max: number,
  renewalSeconds: number,
  nowMs: number,
): { counter: QuotaCounter; answer: QuotaConsumption } {
  // Tyk starts a new period (counter 0 with the renewal TTL) when none is running, and also restarts a counter
  // that has no TTL once a renewal rate is set; with no renewal rate the counter never expires.
  const restart = current === undefined || (current.expiresAtMs === undefined && renewalSeconds > 0);
  const counter: QuotaCounter = restart
    ? { count: 0, expiresAtMs: renewalSeconds > 0 ? nowMs + renewalSeconds * 1000 : undefined }
    : { ...current };
  // Refused requests are counted too, as Tyk's INCR does.
  counter.count++;
  const allowed = counter.count <= max;
  return {
    counter,
    answer: { allowed, remaining: allowed ? max - counter.count : 0, renewsAtMs: counter.expiresAtMs ?? nowMs },
  };
}
