// RedisAnalyticsSink against a real redis-server: records reach `tyk-system-analytics` msgpack-encoded as Tyk Pump
// decodes them (Go field names, msgpack.v2 times), in batches; an outage loses nothing the buffer can hold; a full
// buffer drops its oldest records and counts them.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { test } from "node:test";
import { decode } from "@msgpack/msgpack";
import { Redis } from "ioredis";
import { buildRecord, finishRecord } from "../../src/analytics/record.ts";
import { RedisAnalyticsSink, type RedisAnalyticsSinkOptions } from "../../src/analytics/redis-sink.ts";
import { startRedis, type TestRedis } from "../helpers/redis.ts";
import { rec } from "../helpers/analytics.ts";

const KEY = "tyk-system-analytics";

function logs() {
  const info: string[] = [];
  const warn: string[] = [];
  return { info, warn, log: { info: (m: string) => info.push(m), warn: (m: string) => warn.push(m) } };
}

function sink(redis: TestRedis, extra: RedisAnalyticsSinkOptions = {}): RedisAnalyticsSink {
  return new RedisAnalyticsSink({
    host: "127.0.0.1",
    port: redis.port,
    flushIntervalMs: 60_000,
    reconnectMaxDelayMs: 100,
    ...extra,
  });
}

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A plain client for looking at the list; quiet when the test stops Redis under it. */
function plainClient(port: number): Redis {
  const c = new Redis({ host: "127.0.0.1", port });
  c.on("error", () => {});
  return c;
}

async function listed(client: Redis, key = KEY): Promise<Array<Record<string, any>>> {
  const items = await client.lrangeBuffer(key, 0, -1);
  return items.map((b) => decode(b) as Record<string, any>);
}

test("records are RPUSHed to tyk-system-analytics as msgpack maps with Pump's Go field names and msgpack.v2 times", async () => {
  const redis = await startRedis();
  const client = plainClient(redis.port);
  const s = sink(redis);
  try {
    const full = finishRecord(buildRecord({
      method: "POST",
      host: "upstream.example",
      path: "/users/42",
      originalPath: "/users-api/users/42",
      listenPath: "/users-api/",
      trackedPath: "/users/{id}",
      contentLength: 1234,
      userAgent: "curl/8",
      status: 201,
      apiId: "api-7",
      apiName: "Users",
      orgId: "org-1",
      apiVersion: "v2",
      apiKey: "hashed-key",
      oauthClientId: "client-9",
      alias: "alice",
      ip: "10.1.2.3",
      tags: ["t1"],
      rawRequest: "UkVR",
      rawResponse: "UkVT",
      geo: {
        country: { iso_code: "GB" },
        city: { geoname_id: 2643743, names: { en: "London" } },
        location: { latitude: 51.5, longitude: 0, time_zone: "Europe/London" },
      },
      startedAtMs: Date.UTC(2024, 4, 6, 7, 8, 9, 120),
      totalMs: 7.9,
      upstreamMs: 5.2,
      expireAfterSeconds: 3600,
    }), false);
    await until(() => s.connected, "the sink to connect");
    s.write(full);
    s.write(rec(1));
    assert.equal(await client.llen(KEY), 0, "write only buffers");
    await s.flush();
    const items = await listed(client);
    assert.equal(items.length, 2);

    const stampMs = Date.UTC(2024, 4, 6, 7, 8, 9, 127); // started + 7.9 ms, Date keeps whole ms
    const stampSec = Math.floor(stampMs / 1000);
    assert.deepEqual(items[0], {
      Method: "POST",
      Host: "upstream.example",
      Path: "/users/{id}",
      RawPath: "/users/42",
      ContentLength: 1234,
      UserAgent: "curl/8",
      Day: full.day,
      Month: full.month,
      Year: full.year,
      Hour: full.hour,
      ResponseCode: 201,
      APIKey: "hashed-key",
      TimeStamp: [stampSec, 127_000_000],
      APIVersion: "v2",
      APIName: "Users",
      APIID: "api-7",
      OrgID: "org-1",
      OauthID: "client-9",
      RequestTime: 7,
      RawRequest: "UkVR",
      RawResponse: "UkVT",
      IPAddress: "10.1.2.3",
      Geo: {
        Country: { ISOCode: "GB" },
        City: { GeoNameID: 2643743, Names: { en: "London" } },
        Location: { Latitude: 51.5, Longitude: 0, TimeZone: "Europe/London" },
      },
      Network: { OpenConnections: 0, ClosedConnection: 0, BytesIn: 0, BytesOut: 0 },
      Latency: { Total: 7, Upstream: 5, Gateway: 2 },
      Tags: ["t1", "key-hashed-key", "org-org-1", "api-api-7"],
      Alias: "alice",
      TrackPath: true,
      ExpireAt: [stampSec + 3600, 127_000_000],
      ApiSchema: "",
      OriginalPath: "/users-api/users/42",
      ListenPath: "/users-api/",
      GraphQLStats: {
        Variables: "",
        RootFields: null,
        Types: null,
        Errors: null,
        OperationType: 0,
        HasErrors: false,
        IsGraphQL: false,
      },
      MCPStats: { IsMCP: false, JSONRPCMethod: "", PrimitiveType: "", PrimitiveName: "" },
      CollectionName: "",
    });
    // Field order follows the Go struct, as the gateway's encoder writes it.
    assert.deepEqual(Object.keys(items[0]).slice(0, 4), ["Method", "Host", "Path", "RawPath"]);
    assert.equal(items[1].Path, "/r1");
    assert.equal(items[1].Geo.City.Names, null, "a nil map stays nil");

    // Floats are float64 on the wire even when whole (old Go decoders refuse an int for a float64 field).
    const rawItem = (await client.lrangeBuffer(KEY, 1, 1))[0];
    for (const field of ["Latitude", "Longitude"]) {
      const at = rawItem.indexOf(Buffer.from(field));
      assert.ok(at > 0, field);
      assert.equal(rawItem[at + field.length], 0xcb, `${field} is a float64`);
    }
    assert.deepEqual(s.stats(), { written: 2, dropped: 0, failed: 0, buffered: 0 });
  } finally {
    await s.close();
    client.disconnect();
    await redis.stop();
  }
});

test("a full batch is sent without waiting for the timer, and the timer sends the rest", async () => {
  const redis = await startRedis();
  const client = plainClient(redis.port);
  const batched = sink(redis, { batchSize: 3, key: "batched" });
  const timed = sink(redis, { flushIntervalMs: 50, key: "timed" });
  try {
    await until(() => batched.connected && timed.connected, "the sinks to connect");
    batched.write(rec(1));
    batched.write(rec(2));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await client.llen("batched"), 0, "below the batch size nothing is sent");
    batched.write(rec(3));
    await until(async () => (await client.llen("batched")) === 3, "the full batch");

    timed.write(rec(4));
    await until(async () => (await client.llen("timed")) === 1, "the timer's flush");
    assert.equal((await listed(client, "timed"))[0].Path, "/r4");
  } finally {
    await batched.close();
    await timed.close();
    client.disconnect();
    await redis.stop();
  }
});

test("records written while Redis is down are kept and arrive, in order, once it is back", async () => {
  const redis = await startRedis();
  const l = logs();
  const errors: unknown[] = [];
  const s = sink(redis, { flushIntervalMs: 50, log: l.log, onError: (e) => errors.push(e) });
  try {
    await until(() => s.connected, "the sink to connect");
    await redis.stop();
    await until(() => !s.connected, "the sink to see Redis gone");
    for (let i = 0; i < 5; i++) s.write(rec(i));
    await s.flush(); // resolves (and does not throw) with Redis away; the records stay
    await new Promise((r) => setTimeout(r, 300)); // timer ticks and reconnection attempts while down
    assert.deepEqual(s.stats(), { written: 0, dropped: 0, failed: 0, buffered: 5 });

    await redis.restart();
    const client = plainClient(redis.port);
    try {
      await until(async () => (await client.llen(KEY)) === 5, "the buffered records", 10_000);
      assert.deepEqual((await listed(client)).map((r) => r.Path), ["/r0", "/r1", "/r2", "/r3", "/r4"]);
    } finally {
      client.disconnect();
    }
    assert.deepEqual(s.stats(), { written: 5, dropped: 0, failed: 0, buffered: 0 });
    assert.equal(l.warn.length, 1, l.warn.join("\n"));
    assert.match(l.warn[0], /lost the connection/);
    assert.equal(l.info.filter((m) => m.includes("reconnected")).length, 1, l.info.join("\n"));
  } finally {
    await s.close();
    await redis.stop();
  }
});

test("a batch Redis refuses goes back to the front of the buffer and is sent, in order, on a later flush", async () => {
  const redis = await startRedis();
  const client = plainClient(redis.port);
  const errors: unknown[] = [];
  const s = sink(redis, { batchSize: 2, onError: (e) => errors.push(e) });
  try {
    await until(() => s.connected, "the sink to connect");
    await client.set(KEY, "not a list"); // RPUSH now fails with WRONGTYPE while the connection stays up
    for (let i = 0; i < 3; i++) s.write(rec(i));
    await s.flush();
    assert.ok(errors.length >= 1, "told of the refused batch");
    assert.match(String(errors[0]), /WRONGTYPE/);
    assert.deepEqual(s.stats(), { written: 0, dropped: 0, failed: 0, buffered: 3 });

    await client.del(KEY);
    s.write(rec(3));
    await s.flush();
    assert.deepEqual((await listed(client)).map((r) => r.Path), ["/r0", "/r1", "/r2", "/r3"]);
    assert.deepEqual(s.stats(), { written: 4, dropped: 0, failed: 0, buffered: 0 });
  } finally {
    await s.close();
    client.disconnect();
    await redis.stop();
  }
});

test("when the buffer overflows the oldest records are dropped and counted", async () => {
  const redis = await startRedis();
  const s = sink(redis, { maxBuffered: 5, batchSize: 5 });
  try {
    await until(() => s.connected, "the sink to connect");
    await redis.stop();
    await until(() => !s.connected, "the sink to see Redis gone");
    for (let i = 0; i < 8; i++) s.write(rec(i));
    assert.deepEqual(s.stats(), { written: 0, dropped: 3, failed: 0, buffered: 5 });

    await redis.restart();
    const client = plainClient(redis.port);
    try {
      await until(async () => (await client.llen(KEY)) === 5, "the kept records", 10_000);
      assert.deepEqual((await listed(client)).map((r) => r.Path), ["/r3", "/r4", "/r5", "/r6", "/r7"]);
    } finally {
      client.disconnect();
    }
    assert.deepEqual(s.stats(), { written: 5, dropped: 3, failed: 0, buffered: 0 });
  } finally {
    await s.close();
    await redis.stop();
  }
});

test("close() sends what is buffered, then drops later writes; with Redis away it gives up after closeTimeoutMs", async () => {
  const redis = await startRedis();
  const client = plainClient(redis.port);
  const s = sink(redis);
  try {
    await until(() => s.connected, "the sink to connect");
    s.write(rec(1));
    s.write(rec(2));
    await s.close();
    await s.close();
    s.write(rec(3));
    assert.equal(await client.llen(KEY), 2);
    assert.deepEqual(s.stats(), { written: 2, dropped: 1, failed: 0, buffered: 0 });

    const away = sink(redis, { closeTimeoutMs: 200 });
    await until(() => away.connected, "the second sink to connect");
    await redis.stop();
    await until(() => !away.connected, "the sink to see Redis gone");
    away.write(rec(4));
    const t0 = Date.now();
    await away.close();
    assert.ok(Date.now() - t0 < 2000, "close does not wait for Redis forever");
    assert.deepEqual(away.stats(), { written: 0, dropped: 0, failed: 1, buffered: 0 });
  } finally {
    client.disconnect();
    await redis.stop();
  }
});
