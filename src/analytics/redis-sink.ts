// Analytics for Tyk Pump: each record msgpack-encoded as Tyk encodes analytics.AnalyticsRecord and RPUSHed in batches
// to the Redis list `tyk-system-analytics`, which Pump drains. An existing Pump set-up keeps working unchanged.
//
// What Pump decodes (tyk-pump serializer/msgp.go uses gopkg.in/vmihailenco/msgpack.v2, as the gateway does):
// - a struct is a msgpack map keyed by the Go field names (Method, APIKey, TimeStamp, Geo.Country.ISOCode...): that
//   msgpack version reads only `msgpack:"..."` tags, and AnalyticsRecord has none, so its json tags play no part;
// - time.Time is a 2-element array [unix seconds, nanoseconds] (msgpack.v2's own time encoding, not the timestamp
//   extension of later versions);
// - keys the struct lacks are skipped, so fields newer than a given Pump (Latency.Gateway, ApiSchema, OriginalPath,
//   ListenPath, GraphQLStats, MCPStats) are harmless; CollectionName, which Pump's JSON leaves out, is a key too.
// Floats (Geo.Location.Latitude/Longitude) are always written as float64: old decoders refuse an int there.
//
// Records wait in a bounded buffer (the oldest are dropped, and counted, when it is full). A batch is sent when the
// buffer reaches batchSize, on a timer, on flush() and on close(). While Redis is away nothing is sent and nothing
// accepted is lost while the buffer has room: a failed batch goes back to the front of the buffer and is sent once
// Redis is back. Delivery is at least once: a batch whose reply was lost with the connection is sent again.
import { Buffer } from "node:buffer";
import type { Redis } from "ioredis";
import {
  ConnectionWatch,
  createRedisClient,
  describeRedis,
  type RedisConnectionOptions,
  silentLog,
  type StatusLog,
} from "../cluster/redis.ts";
import type { AnalyticsRecord } from "./record.ts";
import type { AnalyticsSink, SinkStats } from "./sink.ts";
import { BoundedQueue } from "./queue.ts";

/** The list Tyk's gateway pushes to and Pump reads (gateway/analytics.go analyticsKeyName). */
export const ANALYTICS_KEY = "tyk-system-analytics";

export interface RedisAnalyticsSinkOptions extends RedisConnectionOptions {
  /** How often buffered records are sent; default 200 ms (Tyk's recordsBufferFlushInterval). */
  flushIntervalMs?: number;
  /** Send as soon as this many records wait, and at most this many per RPUSH. Default 1000. */
  batchSize?: number;
  /** Most records held (waiting or being sent); past it the oldest waiting ones are dropped. Default 10000. */
  maxBuffered?: number;
  /** The list key; default tyk-system-analytics. */
  key?: string;
  /** Tyk's enable_multiple_analytics_keys: each batch goes to `<key>_<0-9>`, picked at random. */
  enableMultipleAnalyticsKeys?: boolean;
  /** How long close() waits for an unreachable Redis before counting what is left as failed; default 5000 ms. */
  closeTimeoutMs?: number;
  /** Connection lost / back, once each way. */
  log?: StatusLog;
  /** Told of each encoding or send failure. */
  onError?: (err: unknown) => void;
}

export class RedisAnalyticsSink implements AnalyticsSink {
  private readonly client: Redis;
  private readonly watch: ConnectionWatch;
  private readonly buffer: BoundedQueue<AnalyticsRecord>;
  private readonly maxBuffered: number;
  private readonly batchSize: number;
  private readonly key: string;
  private readonly onError: (err: unknown) => void;
  private readonly timer: ReturnType<typeof setInterval>;
  /** Records taken from the buffer and not yet confirmed by Redis; they count towards maxBuffered. */
  private inFlight = 0;
  private chain: Promise<void> = Promise.resolve();
  private flushesQueued = 0;
  private closing: Promise<void> | undefined;
  private written = 0;
  private dropped = 0;
  private failed = 0;

  constructor(private readonly opts: RedisAnalyticsSinkOptions = {}) {
    this.maxBuffered = Math.max(1, opts.maxBuffered ?? 10_000);
    this.batchSize = Math.min(this.maxBuffered, Math.max(1, opts.batchSize ?? 1000));
    this.buffer = new BoundedQueue(this.maxBuffered);
    this.key = opts.key ?? ANALYTICS_KEY;
    this.onError = opts.onError ?? (() => {});
    // No offline queue: while Redis is away a send fails at once and its records go back to the buffer.
    this.client = createRedisClient(opts, { enableOfflineQueue: false, connectionName: "tyk-ts-analytics" });
    this.watch = new ConnectionWatch(
      [this.client],
      "analytics",
      describeRedis(opts),
      opts.log ?? silentLog,
      () => this.flushIfIdle(), // send the backlog as soon as Redis is back
    );
    this.timer = setInterval(() => this.flushIfIdle(), opts.flushIntervalMs ?? 200);
    this.timer.unref();
  }

  write(rec: AnalyticsRecord): void {
    if (this.closing) {
      this.dropped++;
      return;
    }
    if (this.buffer.size + this.inFlight >= this.maxBuffered) {
      // Drop the oldest record still waiting; if every slot is a record being sent, the new one has no room.
      if (this.buffer.size === 0) {
        this.dropped++;
        return;
      }
      this.buffer.shift();
      this.dropped++;
    }
    this.buffer.push(rec);
    if (this.buffer.size >= this.batchSize) this.flushIfIdle();
  }

  /**
   * Sends every record buffered before the call. Resolves when they are in Redis, or as soon as Redis turns out to be
   * unreachable: those records then stay buffered for the next attempt (close() bounds that wait). Never rejects.
   */
  flush(): Promise<void> {
    this.flushesQueued++;
    this.chain = this.chain.then(() => this.sendBuffered());
    return this.chain;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  stats(): SinkStats {
    return {
      written: this.written,
      dropped: this.dropped,
      failed: this.failed,
      buffered: this.buffer.size + this.inFlight,
    };
  }

  /** True while the Redis connection is up. */
  get connected(): boolean {
    return this.watch.up;
  }

  private flushIfIdle(): void {
    if (this.flushesQueued === 0 && this.buffer.size > 0 && this.watch.up) void this.flush();
  }

  private async sendBuffered(): Promise<void> {
    try {
      let remaining = this.buffer.size;
      while (remaining > 0 && this.watch.up) {
        const batch = this.buffer.take(Math.min(this.batchSize, remaining));
        remaining -= batch.length;
        if (!(await this.send(batch))) break;
      }
    } finally {
      this.flushesQueued--;
    }
  }

  /** Sends one batch; on a Redis failure puts it back at the front of the buffer and returns false. */
  private async send(batch: AnalyticsRecord[]): Promise<boolean> {
    const kept: AnalyticsRecord[] = [];
    const encoded: Buffer[] = [];
    for (const rec of batch) {
      try {
        const b = encodePumpRecord(rec);
        encoded.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
        kept.push(rec);
      } catch (err) {
        this.failed++;
        this.onError(err);
      }
    }
    if (encoded.length === 0) return true;
    this.inFlight = kept.length;
    try {
      await this.client.rpush(this.listKey(), ...encoded);
      this.written += encoded.length;
      return true;
    } catch (err) {
      // Back to the front: these are the oldest records, and they keep their order.
      this.buffer.unshiftAll(kept);
      this.onError(err);
      return false;
    } finally {
      this.inFlight = 0;
    }
  }

  private listKey(): string {
    return this.opts.enableMultipleAnalyticsKeys ? `${this.key}_${Math.floor(Math.random() * 10)}` : this.key;
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    if (this.buffer.size > 0) {
      // Redis is away: give it closeTimeoutMs to come back before giving the rest up.
      if (await this.watch.waitUp(this.opts.closeTimeoutMs ?? 5000)) await this.flush();
      const left = this.buffer.take(this.buffer.size).length;
      this.failed += left;
      if (left > 0) this.onError(new Error(`analytics: ${left} records not sent to Redis before close`));
    }
    this.watch.release();
    try {
      if (this.client.status === "ready") await this.client.quit();
      else this.client.disconnect();
    } catch {
      this.client.disconnect();
    }
  }
}

// ---- Pump's msgpack shape -------------------------------------------------------------------------------------------

/** Encodes one record exactly as Tyk's gateway msgpack-encodes analytics.AnalyticsRecord (field order included). */
export function encodePumpRecord(r: AnalyticsRecord): Uint8Array {
  const w = new MsgpackWriter();
  const geo = r.geo;
  const names = geo?.city?.names;
  w.map(35); // the 35 fields below
  w.str("Method").str(r.method);
  w.str("Host").str(r.host);
  w.str("Path").str(r.path);
  w.str("RawPath").str(r.raw_path);
  w.str("ContentLength").int(r.content_length);
  w.str("UserAgent").str(r.user_agent);
  w.str("Day").int(r.day);
  w.str("Month").int(r.month);
  w.str("Year").int(r.year);
  w.str("Hour").int(r.hour);
  w.str("ResponseCode").int(r.response_code);
  w.str("APIKey").str(r.api_key);
  w.str("TimeStamp").time(r.timestamp);
  w.str("APIVersion").str(r.api_version);
  w.str("APIName").str(r.api_name);
  w.str("APIID").str(r.api_id);
  w.str("OrgID").str(r.org_id);
  w.str("OauthID").str(r.oauth_id);
  w.str("RequestTime").int(r.request_time);
  w.str("RawRequest").str(r.raw_request);
  w.str("RawResponse").str(r.raw_response);
  w.str("IPAddress").str(r.ip_address);
  w.str("Geo").map(3);
  w.str("Country").map(1).str("ISOCode").str(geo?.country?.iso_code);
  w.str("City").map(2).str("GeoNameID").int(geo?.city?.geoname_id).str("Names");
  if (names == null) w.nil();
  else {
    const entries = Object.entries(names);
    w.map(entries.length);
    for (const [k, v] of entries) w.str(k).str(v);
  }
  w.str("Location").map(3);
  w.str("Latitude").float64(geo?.location?.latitude);
  w.str("Longitude").float64(geo?.location?.longitude);
  w.str("TimeZone").str(geo?.location?.time_zone);
  w.str("Network").map(4);
  w.str("OpenConnections").int(r.network?.open_connections);
  w.str("ClosedConnection").int(r.network?.closed_connections);
  w.str("BytesIn").int(r.network?.bytes_in);
  w.str("BytesOut").int(r.network?.bytes_out);
  w.str("Latency").map(3);
  w.str("Total").int(r.latency?.total);
  w.str("Upstream").int(r.latency?.upstream);
  w.str("Gateway").int(r.latency?.gateway);
  w.str("Tags").strings(r.tags);
  w.str("Alias").str(r.alias);
  w.str("TrackPath").bool(r.track_path);
  w.str("ExpireAt").time(r.expireAt);
  w.str("ApiSchema").str(r.api_schema);
  w.str("OriginalPath").str(r.original_path);
  w.str("ListenPath").str(r.listen_path);
  const gql = r.graphql_stats;
  w.str("GraphQLStats").map(7);
  w.str("Variables").str(gql?.Variables);
  w.str("RootFields").strings(gql?.RootFields);
  w.str("Types");
  const types = gql?.Types;
  if (types == null) w.nil();
  else {
    const entries = Object.entries(types);
    w.map(entries.length);
    for (const [k, v] of entries) w.str(k).strings(v);
  }
  w.str("Errors");
  const errors = gql?.Errors;
  if (errors == null) w.nil();
  else {
    w.array(errors.length);
    for (const e of errors) w.map(2).str("Message").str(e.message).str("Path").any(e.path);
  }
  w.str("OperationType").int(gql?.OperationType);
  w.str("HasErrors").bool(gql?.HasErrors);
  w.str("IsGraphQL").bool(gql?.IsGraphQL);
  const mcp = r.mcp_stats;
  w.str("MCPStats").map(4);
  w.str("IsMCP").bool(mcp?.is_mcp);
  w.str("JSONRPCMethod").str(mcp?.jsonrpc_method);
  w.str("PrimitiveType").str(mcp?.primitive_type);
  w.str("PrimitiveName").str(mcp?.primitive_name);
  w.str("CollectionName").str(r.collection_name);
  return w.bytes();
}

// Go's zero time.Time, as Unix seconds, for timestamps that do not parse.
const GO_ZERO_TIME_UNIX = -62135596800;
// An RFC 3339 time: the whole seconds, the fraction, the zone.
const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;
const encoder = new TextEncoder();

/** The few msgpack types the record needs, each in the smallest form the spec allows (as Go's encoder does). */
class MsgpackWriter {
  private buf = new Uint8Array(512);
  private view = new DataView(this.buf.buffer);
  private len = 0;

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  nil(): this {
    this.reserve(1);
    this.buf[this.len++] = 0xc0;
    return this;
  }

  bool(v: boolean | undefined): this {
    this.reserve(1);
    this.buf[this.len++] = v ? 0xc3 : 0xc2;
    return this;
  }

  str(s: string | undefined): this {
    const b = encoder.encode(s ?? "");
    const n = b.length;
    if (n < 32) this.u8(0xa0 | n);
    else if (n < 0x100) this.u8(0xd9).u8(n);
    else if (n < 0x10000) this.u8(0xda).u16(n);
    else this.u8(0xdb).u32(n);
    this.reserve(n);
    this.buf.set(b, this.len);
    this.len += n;
    return this;
  }

  map(n: number): this {
    return n < 16 ? this.u8(0x80 | n) : n < 0x10000 ? this.u8(0xde).u16(n) : this.u8(0xdf).u32(n);
  }

  array(n: number): this {
    return n < 16 ? this.u8(0x90 | n) : n < 0x10000 ? this.u8(0xdc).u16(n) : this.u8(0xdd).u32(n);
  }

  /** A Go []string: nil stays nil. */
  strings(list: readonly string[] | null | undefined): this {
    if (list == null) return this.nil();
    this.array(list.length);
    for (const s of list) this.str(s);
    return this;
  }

  /** A Go interface{} holding a JSON value (a GraphQL error path): whole numbers as integers, others as float64. */
  any(v: unknown): this {
    if (v == null) return this.nil();
    if (typeof v === "string") return this.str(v);
    if (typeof v === "boolean") return this.bool(v);
    if (typeof v === "number") return Number.isInteger(v) ? this.int(v) : this.float64(v);
    if (Array.isArray(v)) {
      this.array(v.length);
      for (const x of v) this.any(x);
      return this;
    }
    const entries = Object.entries(v);
    this.map(entries.length);
    for (const [k, x] of entries) this.str(k).any(x);
    return this;
  }

  /** An integer (Go int / int64 / uint): non-integers are truncated, non-numbers become 0. */
  int(v: number | undefined): this {
    let n = typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : 0;
    if (n === 0) n = 0; // -0
    if (n >= 0) {
      if (n < 0x80) return this.u8(n);
      if (n < 0x100) return this.u8(0xcc).u8(n);
      if (n < 0x10000) return this.u8(0xcd).u16(n);
      if (n < 0x100000000) return this.u8(0xce).u32(n);
      this.u8(0xcf).reserve(8);
      this.view.setBigUint64(this.len, BigInt(n));
      this.len += 8;
      return this;
    }
    if (n >= -32) return this.u8(n & 0xff);
    if (n >= -0x80) {
      this.u8(0xd0).reserve(1);
      this.view.setInt8(this.len++, n);
      return this;
    }
    if (n >= -0x8000) {
      this.u8(0xd1).reserve(2);
      this.view.setInt16(this.len, n);
      this.len += 2;
      return this;
    }
    if (n >= -0x80000000) {
      this.u8(0xd2).reserve(4);
      this.view.setInt32(this.len, n);
      this.len += 4;
      return this;
    }
    this.u8(0xd3).reserve(8);
    this.view.setBigInt64(this.len, BigInt(n));
    this.len += 8;
    return this;
  }

  float64(v: number | undefined): this {
    this.u8(0xcb).reserve(8);
    this.view.setFloat64(this.len, typeof v === "number" ? v : 0);
    this.len += 8;
    return this;
  }

  /** msgpack.v2's time.Time: [unix seconds, nanoseconds], nanoseconds as an RFC 3339 time gives them (Go writes up to 9 digits). */
  time(iso: string | undefined): this {
    const m = typeof iso === "string" ? RFC3339.exec(iso) : null;
    const ms = m ? Date.parse(m[1] + m[3]) : NaN;
    if (!m || !Number.isFinite(ms)) return this.array(2).int(GO_ZERO_TIME_UNIX).int(0);
    return this.array(2).int(Math.floor(ms / 1000)).int(Number((m[2] ?? "").slice(1).padEnd(9, "0")));
  }

  private u8(n: number): this {
    this.reserve(1);
    this.buf[this.len++] = n;
    return this;
  }

  private u16(n: number): this {
    this.reserve(2);
    this.view.setUint16(this.len, n);
    this.len += 2;
    return this;
  }

  private u32(n: number): this {
    this.reserve(4);
    this.view.setUint32(this.len, n);
    this.len += 4;
    return this;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}
