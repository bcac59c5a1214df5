// The Redis KeyStore: sessions, rolling-window rate limits and quota counters in a Redis shared by every gateway
// (ours and Tyk's), under Tyk's key names and data layout:
//   apikey-<key or hash>     string, the session JSON (no TTL)
//   rate-limit-...           sorted set, one member per request (refused ones too); score = request time in unix
//                            nanoseconds, member = the same time as a decimal string; TTL = the window
//   quota-...                string counter (INCR); TTL = the renewal period, set when a period starts
// Each limit decision is one Lua script, so it is atomic across gateways. Semantics follow MemoryKeyStore.
import { createHash } from "node:crypto";
import { Redis, ReplyError } from "ioredis";
import { SESSION_KEY_PREFIX, sessionStorageKey } from "./keys.ts";
import { parseSession } from "./session.ts";
import type { KeyLookup, KeyStore, QuotaConsumption, RateLimitHit, SessionState } from "./types.ts";

export interface RedisStoreLog {
  warn(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
}

export interface RedisStoreOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** Redis database number (tyk.conf storage.database); 0 by default. */
  database?: number;
  useSsl?: boolean;
  sslInsecureSkipVerify?: boolean;
  /** Tyk's `hash_keys`: sessions are stored under the key's hash instead of the key. */
  hashKeys: boolean;
  /** Every call fails with StoreUnavailableError after this long without an answer; 2000 by default. */
  timeoutMs?: number;
  /**
   * Prepended to every Redis key this store touches. Tyk uses none for the gateway's keys ("apikey-", "quota-",
   * "rate-limit-" are the full names), so leave it empty to share a Redis with Tyk gateways.
   */
  keyPrefix?: string;
  log?: RedisStoreLog;
}

/** Redis did not answer (down, unreachable, or too slow): the gateway must fail closed. */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
  constructor(readonly host: string, readonly port: number, reason: string, options?: { cause?: unknown }) {
    super(`Redis at ${host}:${port} is unreachable: ${reason}`, options);
  }
}

const DEFAULT_TIMEOUT_MS = 2000;
/** Reconnect attempts back off from 50 ms, doubling up to this. */
const MAX_RECONNECT_DELAY_MS = 1000;
const SCAN_COUNT = 1000;

// KEYS[1]: the sliding log. ARGV: [1] score of this hit (ns), [2] cutoff score (ns; hits at or before it have left
// the window), [3] limit, [4] window (ms), [5] this hit's time in ms (member prefix), [6] a sub-millisecond start
// (0..999999) for the member. Members are Tyk-style decimal nanosecond strings; concurrent hits in the same
// millisecond get distinct members, or the set would count them once.
// Returns { hits in the window before this one, score of the limit-th newest hit (this one included) or false }.
const RATE_LIMIT_SCRIPT = `
local key = KEYS[1]
redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[2])
local before = redis.call('ZCARD', key)
local sub = tonumber(ARGV[6])
local member = ARGV[5] .. string.format('%06d', sub)
for _ = 1, 1000000 do
  if not redis.call('ZSCORE', key, member) then break end
  sub = (sub + 1) % 1000000
  member = ARGV[5] .. string.format('%06d', sub)
end
redis.call('ZADD', key, ARGV[1], member)
local window = tonumber(ARGV[4])
if window > 0 then redis.call('PEXPIRE', key, window) else redis.call('DEL', key) end
local limit = tonumber(ARGV[3])
local earliest = false
if limit > 0 and before >= limit then
  local r = redis.call('ZRANGE', key, -limit, -limit, 'WITHSCORES')
  if #r > 0 then earliest = r[2] end
end
return { before, earliest }
`;

// KEYS[1]: the quota counter. ARGV[1]: the renewal period in ms (0 = never renews). As Tyk: a period starts (counter
// set to 0 with the period as TTL) when no counter exists, or when one without TTL exists and a renewal period is
// set; then INCR. Returns { the count, this one included; the counter's TTL in ms, -1 for none }.
const QUOTA_SCRIPT = `
local key = KEYS[1]
local renewal = tonumber(ARGV[1])
local ttl = redis.call('PTTL', key)
if ttl == -2 or (ttl == -1 and renewal > 0) then
  if renewal > 0 then
    redis.call('SET', key, '0', 'PX', renewal)
    ttl = renewal
  else
    redis.call('SET', key, '0')
    ttl = -1
  end
end
local n = redis.call('INCR', key)
return { n, ttl }
`;

interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

const RATE_LIMIT = script(RATE_LIMIT_SCRIPT);
const QUOTA = script(QUOTA_SCRIPT);

/** Escapes Redis glob metacharacters so `s` matches itself in SCAN MATCH. */
function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, "\\$&");
}

export class RedisKeyStore implements KeyStore {
  readonly #client: Redis;
  readonly #hashKeys: boolean;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #host: string;
  readonly #port: number;
  readonly #log?: RedisStoreLog;
  /** Redis was lost (or never reached) and has not answered since: calls fail at once instead of waiting. */
  #down = false;
  #closed = false;
  #lastError: unknown;
  /** Callers waiting for the first connection. */
  #readyWaiters = new Set<() => void>();

  constructor(options: RedisStoreOptions) {
    this.#hashKeys = options.hashKeys;
    this.#prefix = options.keyPrefix ?? "";
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#host = options.host;
    this.#port = options.port;
    this.#log = options.log;
    this.#client = new Redis({
      host: options.host,
      port: options.port,
      username: options.username || undefined,
      password: options.password || undefined,
      db: options.database ?? 0,
      tls: options.useSsl
        ? { rejectUnauthorized: !options.sslInsecureSkipVerify, servername: options.host }
        : undefined,
      connectTimeout: this.#timeoutMs,
      commandTimeout: this.#timeoutMs,
      // Nothing waits in a queue while Redis is away: a call either reaches Redis or fails.
      enableOfflineQueue: false,
      // Commands in flight when the connection drops fail at once and are never sent twice (a rate-limit hit or
      // quota INCR is not idempotent).
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt - 1, 10), MAX_RECONNECT_DELAY_MS),
      keepAlive: 10_000,
      lazyConnect: false,
    });
    this.#client.on("ready", () => {
      if (this.#down) this.#log?.info({ host: this.#host, port: this.#port }, "Redis is reachable again");
      this.#down = false;
      for (const wake of this.#readyWaiters) wake();
      this.#readyWaiters.clear();
    });
    // Without an error listener the client reports every failed reconnect itself.
    this.#client.on("error", (err: unknown) => {
      this.#lastError = err;
      this.#markDown();
    });
    this.#client.on("close", () => this.#markDown());
  }

  #markDown(): void {
    if (this.#closed || this.#down) return;
    this.#down = true;
    this.#log?.warn(
      { host: this.#host, port: this.#port, err: errorMessage(this.#lastError) },
      `Redis at ${this.#host}:${this.#port} is unreachable; reconnecting`,
    );
    // Callers waiting for the first connection fail now rather than at their timeout.
    for (const wake of this.#readyWaiters) wake();
    this.#readyWaiters.clear();
  }

  async getSession(key: string, lookup?: KeyLookup): Promise<SessionState | undefined> {
    const json = await this.#run((c) => c.get(this.#sessionKey(key, lookup)));
    return json === null ? undefined : parseSession(json);
  }

  async setSession(key: string, session: SessionState, lookup?: KeyLookup): Promise<void> {
    const json = JSON.stringify(session);
    await this.#run((c) => c.set(this.#sessionKey(key, lookup), json));
  }

  async deleteSession(key: string, lookup?: KeyLookup): Promise<boolean> {
    return (await this.#run((c) => c.del(this.#sessionKey(key, lookup)))) > 0;
  }

  listKeys(filter = ""): Promise<string[]> {
    const head = this.#prefix + SESSION_KEY_PREFIX;
    const pattern = globEscape(head + filter) + "*";
    return this.#run(async (c) => {
      // SCAN may return a key more than once.
      const names = new Set<string>();
      let cursor = "0";
      do {
        const [next, keys] = await c.scan(cursor, "MATCH", pattern, "COUNT", SCAN_COUNT);
        for (const k of keys) names.add(k.slice(head.length));
        cursor = next;
      } while (cursor !== "0");
      return [...names];
    });
  }

  async rateLimitHit(bucket: string, limit: number, windowMs: number, nowMs: number): Promise<RateLimitHit> {
    const ms = BigInt(Math.floor(nowMs));
    const window = BigInt(Math.max(0, Math.round(windowMs)));
    const reply = await this.#run((c) =>
      this.#eval(c, RATE_LIMIT, this.#prefix + bucket, [
        (ms * 1_000_000n).toString(),
        ((ms - window) * 1_000_000n).toString(),
        String(Math.trunc(limit)),
        window.toString(),
        ms.toString(),
        String(Math.floor(Math.random() * 1_000_000)),
      ])
    ) as [number, string | null];
    const before = Number(reply[0]);
    // The same numbers MemoryKeyStore reports (it keeps at most max(1, limit) hits, hence the cap on count).
    const remaining = Math.max(0, limit - before - 1);
    let resetMs = 0;
    if (remaining === 0) {
      const earliest = reply[1] != null ? Math.round(Number(reply[1]) / 1e6) : nowMs;
      resetMs = Math.max(0, earliest + windowMs - nowMs);
    }
    return { allowed: before < limit, count: Math.min(before, Math.max(1, limit)) + 1, resetMs };
  }

  async quotaConsume(bucket: string, max: number, renewalSeconds: number, nowMs: number): Promise<QuotaConsumption> {
    const renewalMs = renewalSeconds > 0 ? Math.max(1, Math.round(renewalSeconds * 1000)) : 0;
    const [count, ttl] = await this.#run((c) => this.#eval(c, QUOTA, this.#prefix + bucket, [String(renewalMs)])) as [
      number,
      number,
    ];
    // Refused requests are counted too, as Tyk's INCR does.
    const allowed = count <= max;
    return { allowed, remaining: allowed ? max - count : 0, renewsAtMs: ttl >= 0 ? nowMs + ttl : nowMs };
  }

  /** `nowMs` is not used: Redis expires the counter on its own clock. */
  async quotaUsed(bucket: string, _nowMs: number): Promise<number | undefined> {
    const value = await this.#run((c) => c.get(this.#prefix + bucket));
    return value === null ? undefined : Number(value);
  }

  async resetQuota(bucket: string): Promise<void> {
    await this.#run((c) => c.del(this.#prefix + bucket));
  }

  /** Quits cleanly (or drops the connection if Redis does not answer); later calls reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const wake of this.#readyWaiters) wake();
    this.#readyWaiters.clear();
    if (this.#client.status === "ready") {
      try {
        await withTimeout(this.#client.quit(), this.#timeoutMs);
        return;
      } catch {
        // fall through
      }
    }
    this.#client.disconnect();
  }

  #sessionKey(key: string, lookup?: KeyLookup): string {
    return this.#prefix + sessionStorageKey(key, this.#hashKeys, lookup);
  }

  /** EVALSHA, loading the script when Redis does not know it (first use, or after a restart). */
  async #eval(c: Redis, s: Script, key: string, args: string[]): Promise<unknown> {
    try {
      return await c.evalsha(s.sha, 1, key, ...args);
    } catch (err) {
      if (!(err instanceof ReplyError) || !String((err as Error).message).startsWith("NOSCRIPT")) throw err;
      return await c.eval(s.source, 1, key, ...args);
    }
  }

  /**
   * Runs one operation against Redis, failing with StoreUnavailableError when Redis is known to be away or does not
   * answer within the timeout. Errors Redis itself answers with (ReplyError) pass through unchanged.
   */
  #run<T>(op: (c: Redis) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error("RedisKeyStore is closed"));
    if (this.#down) return Promise.reject(this.#unavailable("not connected", this.#lastError));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(this.#unavailable(`no answer within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      const start = async (): Promise<T> => {
        if (this.#client.status !== "ready") {
          // Only the very first connection is waited for (bounded by the timer); a lost one fails fast above.
          await new Promise<void>((wake) => this.#readyWaiters.add(wake));
          if (settled) throw new Error("timed out");
          if (this.#closed) throw new Error("RedisKeyStore is closed");
          // The status changed while waiting (narrowing does not see that).
          if ((this.#client.status as string) !== "ready") {
            throw this.#unavailable("not connected", this.#lastError);
          }
        }
        return await op(this.#client);
      };
      start().then(
        (value) => {
          clearTimeout(timer);
          if (!settled) resolve(value);
          settled = true;
        },
        (err) => {
          clearTimeout(timer);
          if (!settled) reject(this.#classify(err));
          settled = true;
        },
      );
    });
  }

  #classify(err: unknown): unknown {
    if (err instanceof ReplyError || err instanceof StoreUnavailableError) return err;
    if (err instanceof Error && err.message === "RedisKeyStore is closed") return err;
    return this.#unavailable(errorMessage(err), err);
  }

  #unavailable(reason: string, cause?: unknown): StoreUnavailableError {
    return new StoreUnavailableError(this.#host, this.#port, reason, cause === undefined ? undefined : { cause });
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : err === undefined ? "connection lost" : String(err);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timed out")), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A store connected (in the background) to the Redis described; calls made before it connects wait up to the timeout. */
export function createRedisKeyStore(options: RedisStoreOptions): RedisKeyStore {
  return new RedisKeyStore(options);
}
