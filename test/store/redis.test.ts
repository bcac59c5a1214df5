// RedisKeyStore against a real redis-server: the MemoryKeyStore cases, Tyk's data layout, two gateways sharing one
// Redis, and Redis going away and coming back. Each test gets its own server.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Redis } from "ioredis";
import {
  createRedisKeyStore,
  type RedisKeyStore,
  type RedisStoreOptions,
  StoreUnavailableError,
} from "../../src/store/redis.ts";
import { startRedis, type TestRedis } from "../helpers/redis.ts";
import { keyStoreContract, session, T0 } from "./contract.ts";


interface LogLine {
  level: "warn" | "info";
  fields: object;
  msg: string;
}

interface Ctx {
  redis: TestRedis;
  open(opts?: Partial<RedisStoreOptions>): RedisKeyStore;
  /** A plain client on the same Redis, to look at what the store wrote. */
  raw(): Redis;
  logs: LogLine[];
}

async function withRedis(fn: (ctx: Ctx) => Promise<void>): Promise<void> {
  const redis = await startRedis();
  const stores: RedisKeyStore[] = [];
  const raws: Redis[] = [];
  const logs: LogLine[] = [];
  const log = {
    warn: (fields: object, msg: string) => logs.push({ level: "warn", fields, msg }),
    info: (fields: object, msg: string) => logs.push({ level: "info", fields, msg }),
  };
  try {
    await fn({
      redis,
      logs,
      open(opts = {}) {
        const store = createRedisKeyStore({ host: "127.0.0.1", port: redis.port, hashKeys: false, log, ...opts });
        stores.push(store);
        return store;
      },
      raw() {
        const client = new Redis({ host: "127.0.0.1", port: redis.port, maxRetriesPerRequest: 0 });
        client.on("error", () => {});
        raws.push(client);
        return client;
      },
    });
  } finally {
    for (const s of stores) await s.close();
    for (const r of raws) r.disconnect();
    await redis.stop();
  }
}

/** Retries `fn` until it resolves, for up to `ms`. */
async function eventually<T>(fn: () => Promise<T>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function rejectsUnavailable(p: Promise<unknown>, port: number): Promise<void> {
  // A call that hangs fails the test instead of hanging it.
  let guard: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    guard = setTimeout(() => reject(new Error("the call neither resolved nor rejected within 5 s")), 5000);
  });
  await assert.rejects(Promise.race([p, hung]).finally(() => clearTimeout(guard)), (err: unknown) => {
    assert.ok(err instanceof StoreUnavailableError, `expected StoreUnavailableError, got ${err}`);
    assert.match(err.message, new RegExp(`Redis at 127\\.0\\.0\\.1:${port} is unreachable`));
    return true;
  });
}

keyStoreContract("redis", ({ hashKeys }, fn) => withRedis(({ open }) => fn(open({ hashKeys }))));

// ---- sessions ----

test("redis sessions: stored as JSON under Tyk's apikey- name, without TTL; unknown fields round-trip", () =>
  withRedis(async ({ open, raw }) => {
    const store = open();
    const original = session({ oauth_keys: { c: "s" }, future_field: [1, 2] });
    await store.setSession("k", original);
    original.rate = 1;
    const r = raw();
    assert.deepEqual(await r.keys("*"), ["apikey-k"]);
    assert.deepEqual(JSON.parse((await r.get("apikey-k"))!), {
      ...session({ oauth_keys: { c: "s" }, future_field: [1, 2] }),
    });
    assert.equal(await r.pttl("apikey-k"), -1);
    const read = await store.getSession("k");
    assert.deepEqual(read?.future_field, [1, 2]);
    assert.equal(read?.rate, 10);
    // A session written by another gateway (Tyk writes nulls for empty slices and maps) is read.
    await r.set("apikey-tyk", '{"rate":5,"per":1,"access_rights":null,"tags":null,"meta_data":null}');
    assert.equal((await store.getSession("tyk"))?.rate, 5);
  }));

test("redis sessions: with hash_keys the session is stored under apikey-<hash>", () =>
  withRedis(async ({ open, raw }) => {
    const store = open({ hashKeys: true });
    await store.setSession("hello", session());
    assert.deepEqual(await raw().keys("*"), ["apikey-248bfa47"]);
  }));

test("redis listKeys: SCANs every stored name, filtered by a literal prefix; counters are not sessions", () =>
  withRedis(async ({ open, raw }) => {
    const store = open();
    for (const k of ["org1aaa", "org1bbb", "org2ccc", "a*b"]) await store.setSession(k, session());
    assert.deepEqual((await store.listKeys()).sort(), ["a*b", "org1aaa", "org1bbb", "org2ccc"]);
    assert.deepEqual((await store.listKeys("org1")).sort(), ["org1aaa", "org1bbb"]);
    assert.deepEqual(await store.listKeys("nope"), []);
    // Glob characters in the filter are literal.
    assert.deepEqual(await store.listKeys("a*"), ["a*b"]);
    assert.deepEqual(await store.listKeys("*"), []);
    await store.rateLimitHit("rate-limit-org1aaa", 5, 1000, T0);
    await store.quotaConsume("quota-org1aaa", 5, 60, T0);
    assert.equal((await store.listKeys()).length, 4);
    // Many keys: SCAN takes several rounds, and every name comes back once.
    const r = raw();
    const pipe = r.pipeline();
    for (let i = 0; i < 5000; i++) pipe.set(`apikey-bulk${i}`, "{}");
    await pipe.exec();
    const names = await store.listKeys("bulk");
    assert.equal(names.length, 5000);
    assert.equal(new Set(names).size, 5000);
  }));

test("redis keyPrefix namespaces every key", () =>
  withRedis(async ({ open, raw }) => {
    const store = open({ keyPrefix: "ns1:" });
    await store.setSession("k", session());
    await store.rateLimitHit("rate-limit-k", 5, 1000, T0);
    await store.quotaConsume("quota-k", 5, 60, Date.now());
    assert.deepEqual((await raw().keys("*")).sort(), ["ns1:apikey-k", "ns1:quota-k", "ns1:rate-limit-k"]);
    assert.deepEqual(await store.listKeys(), ["k"]);
    assert.equal(await open().getSession("k"), undefined);
  }));

// ---- rolling window ----

test("redis rolling window: Tyk's layout, a sorted set of nanosecond times (refused hits too) with the window as TTL", () =>
  withRedis(async ({ open, raw }) => {
    const store = open();
    const now = Date.now();
    // Same millisecond: each hit is still its own member.
    for (let i = 0; i < 4; i++) await store.rateLimitHit("rate-limit-abc", 2, 60_000, now);
    const r = raw();
    assert.equal(await r.type("rate-limit-abc"), "zset");
    const members = await r.zrange("rate-limit-abc", "0", "-1", "WITHSCORES");
    assert.equal(members.length, 8);
    for (let i = 0; i < members.length; i += 2) {
      assert.match(members[i], /^\d{19}$/);
      assert.equal(BigInt(members[i]) / 1_000_000n, BigInt(now));
      assert.equal(Number(members[i + 1]), now * 1e6);
    }
    const ttl = await r.pttl("rate-limit-abc");
    assert.ok(ttl > 59_000 && ttl <= 60_000, `ttl ${ttl}`);
    // Entries written by a Tyk gateway (score and member = its clock in ns) count in the same window.
    for (const ms of [now, now + 1]) {
      const ns = String(BigInt(ms) * 1_000_000n + 123n);
      await r.zadd("rate-limit-shared", ns, ns);
    }
    const hit = await store.rateLimitHit("rate-limit-shared", 2, 60_000, now + 5);
    assert.equal(hit.allowed, false);
    assert.equal(hit.count, 3);
    // Room again once the 2nd newest hit (Tyk's, at now + 1) leaves the window.
    assert.equal(hit.resetMs, 60_000 - 4);
  }));

test("redis rolling window: many concurrent hits never allow more than the limit", () =>
  withRedis(async ({ open }) => {
    const store = open();
    const hits = await Promise.all(
      Array.from({ length: 500 }, (_, i) => store.rateLimitHit("rate-limit-hot", 25, 60_000, T0 + (i % 7))),
    );
    assert.equal(hits.filter((h) => h.allowed).length, 25);
    assert.ok(hits.every((h) => h.count <= 26));
  }));

// ---- quota ----

test("redis quota: counts down to zero, then refuses until the period (Redis TTL) ends", () =>
  withRedis(async ({ open, raw }) => {
    const store = open();
    const q = "quota-k";
    const t = Date.now();
    assert.deepEqual(await store.quotaConsume(q, 2, 1, t), { allowed: true, remaining: 1, renewsAtMs: t + 1000 });
    const r = raw();
    assert.equal(await r.get(q), "1");
    const ttl = await r.pttl(q);
    assert.ok(ttl > 900 && ttl <= 1000, `ttl ${ttl}`);
    const second = await store.quotaConsume(q, 2, 1, Date.now());
    assert.equal(second.allowed, true);
    assert.equal(second.remaining, 0);
    assert.ok(Math.abs(second.renewsAtMs - (t + 1000)) < 50, `renews ${second.renewsAtMs - t}`);
    assert.deepEqual({ ...(await store.quotaConsume(q, 2, 1, Date.now())), renewsAtMs: 0 }, {
      allowed: false,
      remaining: 0,
      renewsAtMs: 0,
    });
    assert.equal(await store.quotaUsed(q, Date.now()), 3);
    await new Promise((res) => setTimeout(res, 1100));
    assert.equal(await store.quotaUsed(q, Date.now()), undefined);
    const t2 = Date.now();
    assert.deepEqual(await store.quotaConsume(q, 2, 1, t2), { allowed: true, remaining: 1, renewsAtMs: t2 + 1000 });
  }));

test("redis quota: without a renewal rate it never renews; a renewal rate restarts a counter without TTL", () =>
  withRedis(async ({ open, raw }) => {
    const store = open();
    assert.deepEqual(await store.quotaConsume("quota-q", 1, 0, T0), { allowed: true, remaining: 0, renewsAtMs: T0 });
    assert.equal(await raw().pttl("quota-q"), -1);
    assert.equal((await store.quotaConsume("quota-q", 1, 0, T0 + 1)).allowed, false);
    assert.deepEqual(await store.quotaConsume("quota-q", 1, 60, T0 + 5), {
      allowed: true,
      remaining: 0,
      renewsAtMs: T0 + 60_005,
    });
    assert.ok((await raw().pttl("quota-q")) > 59_000);
  }));

test("redis quota: resetQuota starts a new period; concurrent consumption never exceeds the max", () =>
  withRedis(async ({ open }) => {
    const store = open();
    const results = await Promise.all(Array.from({ length: 300 }, () => store.quotaConsume("q", 40, 60, T0)));
    assert.equal(results.filter((r) => r.allowed).length, 40);
    assert.equal(await store.quotaUsed("q", T0), 300);
    await store.resetQuota("q");
    assert.equal(await store.quotaUsed("q", T0), undefined);
    assert.deepEqual(await store.quotaConsume("q", 40, 60, T0 + 10), {
      allowed: true,
      remaining: 39,
      renewsAtMs: T0 + 60_010,
    });
  }));

// ---- several gateways on one Redis ----

test("redis: two stores on one Redis see each other's keys, and a delete revokes everywhere", () =>
  withRedis(async ({ open }) => {
    const a = open({ hashKeys: true });
    const b = open({ hashKeys: true });
    await a.setSession("shared-key", session({ alias: "from-a" }));
    assert.equal((await b.getSession("shared-key"))?.alias, "from-a");
    assert.deepEqual(await b.listKeys(), await a.listKeys());
    await b.setSession("shared-key", session({ alias: "from-b" }));
    assert.equal((await a.getSession("shared-key"))?.alias, "from-b");
    assert.equal(await b.deleteSession("shared-key"), true);
    assert.equal(await a.getSession("shared-key"), undefined);
  }));

test("redis: two stores share one rate limit and one quota: N allowed in total, concurrently", () =>
  withRedis(async ({ open }) => {
    const a = open();
    const b = open();
    const now = Date.now();
    const hits = await Promise.all(
      Array.from({ length: 400 }, (_, i) => (i % 2 ? a : b).rateLimitHit("rate-limit-both", 30, 60_000, now + (i % 3))),
    );
    assert.equal(hits.filter((h) => h.allowed).length, 30);
    const quota = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).quotaConsume("quota-both", 17, 60, now)),
    );
    assert.equal(quota.filter((q) => q.allowed).length, 17);
    assert.equal(await a.quotaUsed("quota-both", now), 200);
  }));

// ---- Redis going away ----

test("redis down: every call rejects with StoreUnavailableError within the timeout, and it is logged once", () =>
  withRedis(async ({ redis, open, logs }) => {
    const store = open({ timeoutMs: 500 });
    await store.setSession("k", session());
    await redis.stop();
    const calls: Array<() => Promise<unknown>> = [
      () => store.getSession("k"),
      () => store.setSession("k", session()),
      () => store.deleteSession("k"),
      () => store.listKeys(),
      () => store.rateLimitHit("rate-limit-k", 5, 1000, Date.now()),
      () => store.quotaConsume("quota-k", 5, 60, Date.now()),
      () => store.quotaUsed("quota-k", Date.now()),
      () => store.resetQuota("quota-k"),
    ];
    for (const call of calls) {
      const started = performance.now();
      await rejectsUnavailable(call(), redis.port);
      const took = performance.now() - started;
      assert.ok(took < 500 + 250, `took ${took} ms`);
    }
    // Keep calling for a while (several reconnect attempts): still one warning.
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      await rejectsUnavailable(store.getSession("k"), redis.port);
      await new Promise((r) => setTimeout(r, 100));
    }
    const warns = logs.filter((l) => l.level === "warn");
    assert.equal(warns.length, 1, JSON.stringify(logs));
    assert.match(warns[0].msg, new RegExp(`127\\.0\\.0\\.1:${redis.port} is unreachable`));
  }));

test("redis hanging: a call Redis does not answer fails with StoreUnavailableError after timeoutMs", () =>
  withRedis(async ({ redis, open, raw }) => {
    const store = open({ timeoutMs: 400 });
    await store.setSession("k", session());
    // Redis holds every client's commands for 2 s while the connection stays up.
    await raw().call("CLIENT", "PAUSE", "2000", "ALL");
    const started = performance.now();
    await rejectsUnavailable(store.getSession("k"), redis.port);
    const took = performance.now() - started;
    assert.ok(took >= 350 && took < 400 + 250, `took ${took} ms`);
  }));

test("redis never reachable: calls on a fresh store fail within the timeout", async () => {
  const redis = await startRedis();
  const port = redis.port;
  await redis.stop();
  const logs: string[] = [];
  const store = createRedisKeyStore({
    host: "127.0.0.1",
    port,
    hashKeys: false,
    timeoutMs: 300,
    log: { warn: (_f, m) => logs.push(m), info: (_f, m) => logs.push(m) },
  });
  try {
    const started = performance.now();
    await rejectsUnavailable(store.getSession("k"), port);
    await rejectsUnavailable(store.rateLimitHit("rate-limit-k", 1, 1000, T0), port);
    assert.ok(performance.now() - started < 2 * 300 + 250);
    assert.equal(logs.length, 1);
  } finally {
    await store.close();
  }
});

test("redis back: after a restart the same store works again by itself, logging once that it is back", () =>
  withRedis(async ({ redis, open, logs }) => {
    const store = open({ timeoutMs: 500 });
    await store.setSession("k", session());
    await redis.stop();
    await rejectsUnavailable(store.getSession("k"), redis.port);
    await new Promise((r) => setTimeout(r, 1200));
    await redis.restart();
    // The restarted Redis is empty (no persistence): the store reconnects within its bounded backoff.
    const started = Date.now();
    await eventually(() => store.setSession("k2", session({ alias: "after" })), 5000);
    assert.ok(Date.now() - started < 3000, `reconnected after ${Date.now() - started} ms`);
    assert.equal((await store.getSession("k2"))?.alias, "after");
    // Scripts were lost with the restart; they are loaded again.
    assert.equal((await store.rateLimitHit("rate-limit-k", 1, 1000, T0)).allowed, true);
    assert.equal((await store.quotaConsume("quota-k", 1, 60, Date.now())).allowed, true);
    assert.deepEqual(logs.map((l) => l.level), ["warn", "info"]);
  }));
