// The Redis connections of the cluster features (notifications, analytics): made from the gateway's storage settings,
// reconnecting by themselves for as long as they live, and reporting each change of reachability once.
import { Redis, type RedisOptions } from "ioredis";

/** Where Redis is, as in tyk.conf's `storage` / `analytics_storage` sections. */
export interface RedisConnectionOptions {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  /** The logical database (SELECT n). */
  database?: number;
  useSsl?: boolean;
  /** With useSsl: accept any server certificate (Tyk's ssl_insecure_skip_verify). */
  sslInsecureSkipVerify?: boolean;
  /** Longest wait between reconnection attempts; default 2000 ms. The first retries come faster. */
  reconnectMaxDelayMs?: number;
  /** Give up one connection attempt after this long; default 5000 ms. */
  connectTimeoutMs?: number;
}

/** What these connections need from a logger; pino's Logger fits. */
export interface StatusLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export const silentLog: StatusLog = { info() {}, warn() {} };

/** Builds an ioredis client that never gives up reconnecting and never emits an unhandled "error". */
export function createRedisClient(opts: RedisConnectionOptions, extra: RedisOptions = {}): Redis {
  const maxDelay = Math.max(10, opts.reconnectMaxDelayMs ?? 2000);
  const client = new Redis({
    host: opts.host || "127.0.0.1",
    port: opts.port || 6379,
    username: opts.username || undefined,
    password: opts.password || undefined,
    db: opts.database ?? 0,
    tls: opts.useSsl ? { rejectUnauthorized: !opts.sslInsecureSkipVerify } : undefined,
    connectTimeout: opts.connectTimeoutMs ?? 5000,
    // 50 ms, 100 ms, ... up to maxDelay, forever: a gateway outlives any Redis outage.
    retryStrategy: (times) => Math.min(times * 50, maxDelay),
    lazyConnect: false,
    ...extra,
  });
  // Without a listener ioredis prints every failed attempt; ConnectionWatch turns them into one log line per outage.
  client.on("error", () => {});
  return client;
}

/**
 * Follows one or more clients as one link: up when every client is ready, down as soon as one is not. Logs "lost"
 * once when it goes down and "connected" once when it comes back, however many attempts the outage takes.
 */
export class ConnectionWatch {
  private state: "initial" | "up" | "down" = "initial";
  private readonly ready = new Set<Redis>();
  private readonly waiters = new Set<() => void>();
  private lastError = "";

  constructor(
    private readonly clients: Redis[],
    private readonly what: string,
    private readonly where: string,
    private readonly log: StatusLog,
    /** Called each time the link becomes usable (first connect and every reconnect). */
    private readonly onUp: () => void = () => {},
  ) {
    for (const c of clients) {
      c.on("ready", () => {
        this.ready.add(c);
        this.update();
      });
      const lost = () => {
        this.ready.delete(c);
        this.update();
      };
      c.on("close", lost);
      c.on("end", lost);
      c.on("error", (err: unknown) => {
        this.lastError = err instanceof Error ? err.message : String(err);
        lost();
      });
    }
  }

  /** True when every client is connected and ready. */
  get up(): boolean {
    return this.state === "up";
  }

  /** Resolves true once the link is up, or false after timeoutMs. Never rejects. */
  waitUp(timeoutMs: number): Promise<boolean> {
    if (this.up) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(this.up);
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.waiters.add(done);
    });
  }

  /** Wakes every waitUp (used on close). */
  release(): void {
    for (const w of [...this.waiters]) w();
  }

  private update(): void {
    const allReady = this.clients.every((c) => this.ready.has(c));
    if (allReady && this.state !== "up") {
      this.log.info(
        this.state === "initial"
          ? `${this.what}: connected to Redis at ${this.where}`
          : `${this.what}: reconnected to Redis at ${this.where}`,
      );
      this.state = "up";
      this.lastError = "";
      for (const w of [...this.waiters]) w();
      try {
        this.onUp();
      } catch {
        // onUp is ours and does not throw; never let it escape into ioredis' event emitter.
      }
    } else if (!allReady && this.state === "up") {
      this.state = "down";
      this.log.warn(`${this.what}: lost the connection to Redis at ${this.where}${this.reason()}; reconnecting`);
    } else if (!allReady && this.state === "initial" && this.lastError !== "") {
      this.state = "down";
      this.log.warn(`${this.what}: cannot connect to Redis at ${this.where}${this.reason()}; retrying`);
    }
  }

  private reason(): string {
    return this.lastError ? ` (${this.lastError})` : "";
  }
}

export function describeRedis(opts: RedisConnectionOptions): string {
  return `${opts.useSsl ? "rediss" : "redis"}://${opts.host || "127.0.0.1"}:${opts.port || 6379}/${opts.database ?? 0}`;
}
