// The embedded KeyStore: everything in process memory, no server. It mirrors what Tyk keeps in Redis (sessions as
// JSON text under Tyk's key names, quota counters with a TTL, sliding logs that expire with their window), so a
// Redis store can replace it without changing behaviour. Every operation runs without awaiting in between, so each
// one is atomic in this single-threaded process.
import { consumeQuota, liveQuota, logCapacity, type QuotaCounter, windowAnswer } from "./counters.ts";
import { SESSION_KEY_PREFIX, sessionStorageKey } from "./keys.ts";
import { parseSession } from "./session.ts";
import type { KeyLookup, KeyStore, QuotaConsumption, RateLimitHit, SessionState } from "./types.ts";

export interface MemoryKeyStoreOptions {
  /** Tyk's `hash_keys`: sessions are stored under the key's hash instead of the key. */
  hashKeys: boolean;
}

// Expired logs and counters are swept once this many operations (or the number of live entries, if larger) have
// run since the last sweep, which keeps memory bounded at O(1) amortised cost per operation and needs no timer.
const MIN_OPS_BETWEEN_SWEEPS = 1024;

export class MemoryKeyStore implements KeyStore {
  readonly #hashKeys: boolean;
  readonly #sessions = new Map<string, string>();
  readonly #logs = new Map<string, SlidingLog>();
  readonly #quotas = new Map<string, QuotaCounter>();
  #opsSinceSweep = 0;
  #closed = false;

  constructor(options: MemoryKeyStoreOptions) {
    this.#hashKeys = options.hashKeys;
  }

  getSession(key: string, lookup?: KeyLookup): Promise<SessionState | undefined> {
    return this.#op(() => {
      const json = this.#sessions.get(sessionStorageKey(key, this.#hashKeys, lookup));
      // Stored as text and parsed on read, as from Redis: callers never share an object with the store.
      return json === undefined ? undefined : parseSession(json);
    });
  }

  setSession(key: string, session: SessionState, lookup?: KeyLookup): Promise<void> {
    return this.#op(() => {
      this.#sessions.set(sessionStorageKey(key, this.#hashKeys, lookup), JSON.stringify(session));
    });
  }

  deleteSession(key: string, lookup?: KeyLookup): Promise<boolean> {
    return this.#op(() => this.#sessions.delete(sessionStorageKey(key, this.#hashKeys, lookup)));
  }

  listKeys(filter = ""): Promise<string[]> {
    return this.#op(() => {
      const names: string[] = [];
      for (const storageKey of this.#sessions.keys()) {
        const name = storageKey.slice(SESSION_KEY_PREFIX.length);
        if (name.startsWith(filter)) names.push(name);
      }
      return names;
    });
  }

  rateLimitHit(bucket: string, limit: number, windowMs: number, nowMs: number): Promise<RateLimitHit> {
    return this.#op(() => this.#rateLimitHit(bucket, limit, windowMs, nowMs));
  }

  #rateLimitHit(bucket: string, limit: number, windowMs: number, nowMs: number): RateLimitHit {
    this.#sweepIfDue(nowMs);
    const capacity = logCapacity(limit);
    let log = this.#logs.get(bucket);
    if (log === undefined || log.capacity !== capacity) {
      log = new SlidingLog(capacity, log);
      this.#logs.set(bucket, log);
    }
    log.windowMs = windowMs;
    // Keep the log ordered even if concurrent callers pass slightly older clocks.
    const at = Math.max(nowMs, log.newest() ?? nowMs);
    // As Tyk's ZREMRANGEBYSCORE -inf (now - per): a hit exactly one window old has left the window.
    log.dropThrough(at - windowMs);
    const before = log.size;
    log.push(at);
    return windowAnswer(before, limit, at, windowMs, nowMs, () => log.nthNewest(limit));
  }

  quotaConsume(bucket: string, max: number, renewalSeconds: number, nowMs: number): Promise<QuotaConsumption> {
    return this.#op(() => this.#quotaConsume(bucket, max, renewalSeconds, nowMs));
  }

  #quotaConsume(bucket: string, max: number, renewalSeconds: number, nowMs: number): QuotaConsumption {
    this.#sweepIfDue(nowMs);
    const { counter, answer } = consumeQuota(this.#liveQuota(bucket, nowMs), max, renewalSeconds, nowMs);
    this.#quotas.set(bucket, counter);
    return answer;
  }

  quotaUsed(bucket: string, nowMs: number): Promise<number | undefined> {
    return this.#op(() => this.#liveQuota(bucket, nowMs)?.count);
  }

  resetQuota(bucket: string): Promise<void> {
    return this.#op(() => {
      this.#quotas.delete(bucket);
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#sessions.clear();
    this.#logs.clear();
    this.#quotas.clear();
    return Promise.resolve();
  }

  /** Runs one operation to completion (hence atomically); failures, use after close included, reject. */
  #op<T>(run: () => T): Promise<T> {
    try {
      if (this.#closed) throw new Error("MemoryKeyStore is closed");
      return Promise.resolve(run());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The counter unless its TTL has run out (Redis would have dropped it); an ended one is dropped. */
  #liveQuota(bucket: string, nowMs: number): QuotaCounter | undefined {
    const counter = liveQuota(this.#quotas.get(bucket), nowMs);
    if (counter === undefined) this.#quotas.delete(bucket);
    return counter;
  }

  #sweepIfDue(nowMs: number): void {
    if (++this.#opsSinceSweep < Math.max(MIN_OPS_BETWEEN_SWEEPS, this.#logs.size + this.#quotas.size)) return;
    this.#opsSinceSweep = 0;
    for (const [bucket, log] of this.#logs) {
      // Tyk sets EXPIRE per on every hit: the log disappears one window after its newest hit.
      if ((log.newest() ?? -Infinity) + log.windowMs <= nowMs) this.#logs.delete(bucket);
    }
    for (const bucket of this.#quotas.keys()) this.#liveQuota(bucket, nowMs);
  }

  /** Live rate-limit logs and quota counters; lets tests see that expired entries are dropped. */
  get entryCount(): number {
    return this.#logs.size + this.#quotas.size;
  }
}

/**
 * A ring of the newest hit times of one bucket, oldest first, holding at most
 * `limit` of them. Its storage grows with the hits actually seen, so a key
 * with a huge rate costs memory only for the traffic it gets.
 */
class SlidingLog {
  #times: Float64Array;
  readonly #limit: number;
  #head = 0;
  #size = 0;
  windowMs = 0;

  /** A log holding up to `limit` hits, keeping the newest of `from` when given (the limit changed). */
  constructor(limit: number, from?: SlidingLog) {
    this.#limit = limit;
    this.#times = new Float64Array(Math.min(limit, 16));
    if (from === undefined) return;
    for (let n = Math.min(from.size, limit); n >= 1; n--) this.push(from.nthNewest(n));
  }

  get capacity(): number {
    return this.#limit;
  }

  get size(): number {
    return this.#size;
  }

  newest(): number | undefined {
    return this.#size === 0 ? undefined : this.nthNewest(1);
  }

  /** 1 = newest. */
  nthNewest(n: number): number {
    return this.#times[(this.#head + this.#size - n) % this.#times.length];
  }

  /** Drops hits at or before `cutoff`. */
  dropThrough(cutoff: number): void {
    while (this.#size > 0 && this.#times[this.#head] <= cutoff) {
      this.#head = (this.#head + 1) % this.#times.length;
      this.#size--;
    }
  }

  /** Appends a hit, forgetting the oldest when `limit` are held. */
  push(at: number): void {
    if (this.#size === this.#times.length && this.#size < this.#limit) this.#grow();
    if (this.#size === this.#times.length) {
      this.#head = (this.#head + 1) % this.#times.length;
      this.#size--;
    }
    this.#times[(this.#head + this.#size) % this.#times.length] = at;
    this.#size++;
  }

  #grow(): void {
    const next = new Float64Array(Math.min(this.#limit, this.#times.length * 2));
    for (let i = 0; i < this.#size; i++) next[i] = this.#times[(this.#head + i) % this.#times.length];
    this.#times = next;
    this.#head = 0;
  }
}
