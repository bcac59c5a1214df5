// The embedded KeyStore shared by the worker processes of one gateway (plugin_gateway.workers > 1): sessions, rolling
// windows and quota counters in one SQLite file that every worker opens (node:sqlite, built into Deno and Bun), so a
// key limited to N requests gets N across all workers, and a key created through one worker works on all of them.
// Semantics and key names are MemoryKeyStore's (the arithmetic is shared, store/counters.ts).
//
// Exactness: every read-modify-write (a rate-limit hit, a quota count) is one transaction begun with BEGIN IMMEDIATE,
// which takes SQLite's single write lock before reading, so no two workers ever decide on the same state. The file is
// in WAL mode, so readers (session lookups) never wait for that lock.
//
// Waiting: node:sqlite is synchronous, and SQLite's own busy handler sleeps (1 ms, then more) on the calling thread,
// which here is the event loop. So busy_timeout is 0: a transaction that finds the lock taken (another worker is in
// one, which lasts microseconds) is retried after yielding to the event loop, and the worker keeps serving meanwhile.
//
// A worker that dies inside a transaction (a plugin calling os.Exit) cannot wedge the others: the lock is a POSIX
// file lock, released by the kernel with the process, and its uncommitted pages in the WAL are never read.
//
// Durability: synchronous=OFF. The state lives as long as the gateway (as MemoryKeyStore's does); a committed write
// is in the OS page cache once COMMIT returns, so a worker crashing loses nothing, and only the OS crashing could,
// when the gateway is gone anyway.
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { setImmediate } from "node:timers";
import { consumeQuota, liveQuota, logCapacity, type QuotaCounter, windowAnswer } from "./counters.ts";
import { SESSION_KEY_PREFIX, sessionStorageKey } from "./keys.ts";
import { parseSession } from "./session.ts";
import type { KeyLookup, KeyStore, QuotaConsumption, RateLimitHit, SessionState } from "./types.ts";

export interface SqliteKeyStoreOptions {
  /** The database file, shared by every worker; created with its tables when missing. */
  path: string;
  /** Tyk's `hash_keys`: sessions are stored under the key's hash instead of the key. */
  hashKeys: boolean;
  /** An operation that cannot get the write lock for this long fails; 5000 by default. */
  lockTimeoutMs?: number;
}

// One row per logged hit, numbered by seq within its bucket (times never decrease along seq), so the live hits of a
// bucket are a contiguous range lo..hi and counting them needs no scan. The bucket's own row, at seq LOG_ROW, holds
// lo, hi, the newest hit's time and gc (rows below it are deleted); it sorts right after the newest hits, so a hit
// usually writes one page: measured, a write transaction costs mostly the pages it writes to the WAL at commit (a
// separate table for this row, with an index on its expiry, tripled the commit). The expiry index (whole seconds,
// rounded up, so it changes at most once a second per bucket) lets the sweep find expired logs without a scan.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hits (
  bucket TEXT NOT NULL, seq INTEGER NOT NULL, at REAL NOT NULL, lo INTEGER, hi INTEGER, gc INTEGER, expires INTEGER,
  PRIMARY KEY (bucket, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_expiry (bucket TEXT PRIMARY KEY, expires INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS log_expiry_at ON log_expiry (expires);
CREATE TABLE IF NOT EXISTS quotas (bucket TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at REAL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS quotas_expiry ON quotas (expires_at);
`;

const LOG_ROW = Number.MAX_SAFE_INTEGER;
// Hits that left the window are deleted this many at a time (one page write for many hits, not one per hit).
const GC_BATCH = 64;
// Expired logs and counters are swept in the transaction of every this-many-th write, through the expiry indexes, so
// the cost is proportional to what expired.
const OPS_BETWEEN_SWEEPS = 64;
const DEFAULT_LOCK_TIMEOUT_MS = 5000;
// Lock waits are microseconds (another worker's transaction); after a few immediate retries the wait is a timer tick,
// for when that worker is descheduled in its transaction.
const IMMEDIATE_RETRIES = 3;

/** A bucket's own row: its live hits are lo..hi, rows below gc are gone, `at` is the newest hit's time. */
interface LogRow {
  at: number;
  lo: number;
  hi: number;
  gc: number;
  /** Whole seconds, rounded up: when the log expires if no hit comes. */
  expires: number;
}

/** SQLite's "database is locked" (SQLITE_BUSY) or "table is locked" (SQLITE_LOCKED), in both runtimes' errors. */
function isLockError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { errcode?: unknown }).errcode;
  if (typeof code === "number") return (code & 0xff) === 5 || (code & 0xff) === 6;
  return /database is locked|database table is locked/.test(err.message);
}

/** Opens (creating when needed) the database at `path` and its tables. Call once before workers open it. */
export function initSqliteStore(path: string): void {
  const db = new DatabaseSync(path, { timeout: DEFAULT_LOCK_TIMEOUT_MS });
  try {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(SCHEMA);
  } finally {
    db.close();
  }
}

export class SqliteKeyStore implements KeyStore {
  readonly #db: DatabaseSync;
  readonly #path: string;
  readonly #hashKeys: boolean;
  readonly #lockTimeoutMs: number;
  readonly #s: Record<
    | "begin"
    | "commit"
    | "rollback"
    | "getSession"
    | "setSession"
    | "deleteSession"
    | "listSessions"
    | "getLog"
    | "hitAt"
    | "insertHit"
    | "deleteHitsBelow"
    | "putLog"
    | "putExpiry"
    | "expiredLogs"
    | "deleteLog"
    | "deleteExpiry"
    | "getQuota"
    | "putQuota"
    | "countQuota"
    | "deleteQuota"
    | "sweepQuotas",
    StatementSync
  >;
  #writesSinceSweep = 0;
  #closed = false;

  constructor(options: SqliteKeyStoreOptions) {
    this.#path = options.path;
    this.#hashKeys = options.hashKeys;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    initSqliteStore(options.path);
    this.#db = new DatabaseSync(options.path, { timeout: 0 });
    this.#db.exec("PRAGMA synchronous = OFF");
    const p = (sql: string) => this.#db.prepare(sql);
    this.#s = {
      begin: p("BEGIN IMMEDIATE"),
      commit: p("COMMIT"),
      rollback: p("ROLLBACK"),
      getSession: p("SELECT value FROM sessions WHERE key = ?"),
      setSession: p(
        "INSERT INTO sessions (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ),
      deleteSession: p("DELETE FROM sessions WHERE key = ?"),
      listSessions: p("SELECT key FROM sessions"),
      getLog: p(`SELECT at, lo, hi, gc, expires FROM hits WHERE bucket = ? AND seq = ${LOG_ROW}`),
      hitAt: p("SELECT at FROM hits WHERE bucket = ? AND seq = ?"),
      insertHit: p("INSERT INTO hits (bucket, seq, at) VALUES (?, ?, ?)"),
      deleteHitsBelow: p("DELETE FROM hits WHERE bucket = ? AND seq < ?"),
      putLog: p(
        `INSERT INTO hits (bucket, seq, at, lo, hi, gc, expires) VALUES (?, ${LOG_ROW}, ?, ?, ?, ?, ?) ` +
          "ON CONFLICT (bucket, seq) DO UPDATE SET at = excluded.at, lo = excluded.lo, hi = excluded.hi, gc = excluded.gc, " +
          "expires = excluded.expires",
      ),
      putExpiry: p(
        "INSERT INTO log_expiry (bucket, expires) VALUES (?, ?) ON CONFLICT (bucket) DO UPDATE SET expires = excluded.expires",
      ),
      // Tyk sets EXPIRE per on every hit: a log disappears one window after its newest hit.
      expiredLogs: p("SELECT bucket FROM log_expiry WHERE expires <= ?"),
      deleteLog: p("DELETE FROM hits WHERE bucket = ?"),
      deleteExpiry: p("DELETE FROM log_expiry WHERE bucket = ?"),
      getQuota: p("SELECT count, expires_at FROM quotas WHERE bucket = ?"),
      putQuota: p(
        "INSERT INTO quotas (bucket, count, expires_at) VALUES (?, ?, ?) ON CONFLICT (bucket) DO UPDATE SET " +
          "count = excluded.count, expires_at = excluded.expires_at",
      ),
      // Within a period only the count changes: the expiry index is left alone.
      countQuota: p("UPDATE quotas SET count = ? WHERE bucket = ?"),
      deleteQuota: p("DELETE FROM quotas WHERE bucket = ?"),
      sweepQuotas: p("DELETE FROM quotas WHERE expires_at <= ?"),
    };
  }

  getSession(key: string, lookup?: KeyLookup): Promise<SessionState | undefined> {
    return this.#run(false, () => {
      const row = this.#s.getSession.get(sessionStorageKey(key, this.#hashKeys, lookup)) as
        | { value: string }
        | undefined;
      return row === undefined ? undefined : parseSession(row.value);
    });
  }

  setSession(key: string, session: SessionState, lookup?: KeyLookup): Promise<void> {
    return this.#run(false, () => {
      this.#s.setSession.run(sessionStorageKey(key, this.#hashKeys, lookup), JSON.stringify(session));
    });
  }

  deleteSession(key: string, lookup?: KeyLookup): Promise<boolean> {
    return this.#run(
      false,
      () => Number(this.#s.deleteSession.run(sessionStorageKey(key, this.#hashKeys, lookup)).changes) > 0,
    );
  }

  listKeys(filter = ""): Promise<string[]> {
    return this.#run(false, () => {
      const names: string[] = [];
      for (const row of this.#s.listSessions.all() as Array<{ key: string }>) {
        const name = row.key.slice(SESSION_KEY_PREFIX.length);
        if (name.startsWith(filter)) names.push(name);
      }
      return names;
    });
  }

  rateLimitHit(bucket: string, limit: number, windowMs: number, nowMs: number): Promise<RateLimitHit> {
    return this.#run(true, () => {
      this.#sweepIfDue(nowMs);
      const capacity = logCapacity(limit);
      const log = this.#s.getLog.get(bucket) as LogRow | undefined;
      let lo = log?.lo ?? 1;
      let hi = log?.hi ?? 0;
      let gc = log?.gc ?? 1;
      // Keep the log ordered even if workers pass slightly older clocks.
      const at = Math.max(nowMs, log !== undefined && hi >= lo ? log.at : nowMs);
      // As Tyk's ZREMRANGEBYSCORE -inf (now - per): a hit exactly one window old has left the window.
      if (hi >= lo) lo = this.#firstLive(bucket, lo, hi, at - windowMs);
      // A lowered limit applies to the hits already logged: only the newest `capacity` count.
      const before = Math.min(hi - lo + 1, capacity);
      hi++;
      this.#s.insertHit.run(bucket, hi, at);
      lo = Math.max(lo, hi - capacity + 1);
      if (lo - gc >= GC_BATCH) {
        this.#s.deleteHitsBelow.run(bucket, lo);
        gc = lo;
      }
      const expires = Math.ceil((at + windowMs) / 1000);
      this.#s.putLog.run(bucket, at, lo, hi, gc, expires);
      if (log?.expires !== expires) this.#s.putExpiry.run(bucket, expires);
      return windowAnswer(before, limit, at, windowMs, nowMs, () => this.#hitAt(bucket, hi - limit + 1));
    });
  }

  /**
   * The first hit of lo..hi later than `cutoff`, or hi + 1. Times grow along seq and steady traffic moves the window
   * by a hit or two, so the first two are looked at first; then a binary search (a log idle for a while).
   */
  #firstLive(bucket: string, lo: number, hi: number, cutoff: number): number {
    if (this.#hitAt(bucket, lo) > cutoff) return lo;
    if (lo === hi || this.#hitAt(bucket, lo + 1) > cutoff) return lo + 1;
    // at(dead) <= cutoff < at(live), taking at(hi + 1) as later than anything.
    let dead = lo + 1;
    let live = hi + 1;
    while (live - dead > 1) {
      const mid = Math.floor((dead + live) / 2);
      if (this.#hitAt(bucket, mid) > cutoff) live = mid;
      else dead = mid;
    }
    return live;
  }

  #hitAt(bucket: string, seq: number): number {
    return (this.#s.hitAt.get(bucket, seq) as { at: number }).at;
  }

  quotaConsume(bucket: string, max: number, renewalSeconds: number, nowMs: number): Promise<QuotaConsumption> {
    return this.#run(true, () => {
      this.#sweepIfDue(nowMs);
      const current = this.#quota(bucket, nowMs);
      const { counter, answer } = consumeQuota(current, max, renewalSeconds, nowMs);
      if (current !== undefined && current.expiresAtMs === counter.expiresAtMs) {
        this.#s.countQuota.run(counter.count, bucket);
      } else this.#s.putQuota.run(bucket, counter.count, counter.expiresAtMs ?? null);
      return answer;
    });
  }

  quotaUsed(bucket: string, nowMs: number): Promise<number | undefined> {
    return this.#run(false, () => this.#quota(bucket, nowMs)?.count);
  }

  resetQuota(bucket: string): Promise<void> {
    return this.#run(false, () => {
      this.#s.deleteQuota.run(bucket);
    });
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#db.close();
    }
    return Promise.resolve();
  }

  /** Rate-limit logs (their hits go with them) and quota counters held; lets tests see that expired ones are dropped. */
  get entryCount(): number {
    return (this.#db.prepare("SELECT (SELECT count(*) FROM log_expiry) + (SELECT count(*) FROM quotas) AS n").get() as {
      n: number;
    }).n;
  }

  #quota(bucket: string, nowMs: number): QuotaCounter | undefined {
    const row = this.#s.getQuota.get(bucket) as { count: number; expires_at: number | null } | undefined;
    return liveQuota(row && { count: row.count, expiresAtMs: row.expires_at ?? undefined }, nowMs);
  }

  #sweepIfDue(nowMs: number): void {
    if (++this.#writesSinceSweep < OPS_BETWEEN_SWEEPS) return;
    this.#writesSinceSweep = 0;
    // A log's expiry is rounded up to whole seconds, so one listed here has expired.
    for (const { bucket } of this.#s.expiredLogs.all(Math.floor(nowMs / 1000)) as Array<{ bucket: string }>) {
      this.#s.deleteLog.run(bucket);
      this.#s.deleteExpiry.run(bucket);
    }
    this.#s.sweepQuotas.run(nowMs);
  }

  /**
   * Runs `op` (in a write transaction when `transaction`), retrying while another worker holds the lock (see the
   * module comment); the first attempt runs at once, so an uncontended operation never waits for a tick.
   */
  async #run<T>(transaction: boolean, op: () => T): Promise<T> {
    const started = Date.now();
    for (let attempt = 0;; attempt++) {
      if (this.#closed) throw new Error("SqliteKeyStore is closed");
      try {
        if (!transaction) return op();
        this.#s.begin.run();
        try {
          const result = op();
          this.#s.commit.run();
          return result;
        } catch (err) {
          if (this.#db.isTransaction) this.#s.rollback.run();
          throw err;
        }
      } catch (err) {
        if (!isLockError(err)) throw err;
        if (Date.now() - started > this.#lockTimeoutMs) {
          throw new Error(`the key store ${this.#path} stayed locked for ${this.#lockTimeoutMs} ms`, { cause: err });
        }
        await (attempt < IMMEDIATE_RETRIES
          ? new Promise<void>((r) => setImmediate(r))
          : new Promise<void>((r) => setTimeout(r, 1)));
      }
    }
  }
}
