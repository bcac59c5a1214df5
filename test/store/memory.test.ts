// MemoryKeyStore: sessions, the rolling window and quota counters. Time is always injected (nowMs), never slept.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryKeyStore } from "../../src/store/memory.ts";
import { parseSession } from "../../src/store/session.ts";
import { keyStoreContract, session, T0 } from "./contract.ts";


keyStoreContract("memory", async ({ hashKeys }, fn) => {
  const store = new MemoryKeyStore({ hashKeys });
  try {
    await fn(store);
  } finally {
    await store.close();
  }
});

test("sessions: fields we do not model round-trip, and callers never share the stored object", async () => {
  const store = new MemoryKeyStore({ hashKeys: false });
  const original = session({ oauth_keys: { c: "s" }, smoothing: { enabled: true, step: 10 }, future_field: [1, 2] });
  await store.setSession("k", original);
  original.rate = 1;
  const read = await store.getSession("k");
  assert.deepEqual({ ...read?.oauth_keys }, { c: "s" });
  assert.deepEqual(read?.smoothing, { enabled: true, step: 10 });
  assert.deepEqual(read?.future_field, [1, 2]);
  assert.equal(read?.rate, 10);
  if (read) read.rate = 5;
  assert.equal((await store.getSession("k"))?.rate, 10);
});

test("parseSession reads Tyk's session JSON, nulls included, and rejects what is not a session", () => {
  const tyk = parseSession(
    '{"rate":5,"per":1,"access_rights":{"a":{"api_id":"a","versions":null,"limit":null}},"tags":null,' +
      '"meta_data":null,"apply_policies":null,"x_unknown":{"y":1}}',
  );
  assert.equal(tyk.rate, 5);
  assert.equal(tyk.access_rights?.a.limit, null);
  assert.deepEqual(tyk.x_unknown, { y: 1 });
  assert.throws(() => parseSession("[]"));
  assert.throws(() => parseSession('"key"'));
  assert.throws(() => parseSession('{"rate":"5"}'));
  assert.throws(() => parseSession('{"access_rights":{"a":{"limit":{"quota_max":"x"}}}}'));
});

test("listKeys returns stored names, filtered by prefix", async () => {
  const store = new MemoryKeyStore({ hashKeys: false });
  for (const k of ["org1aaa", "org1bbb", "org2ccc"]) await store.setSession(k, session());
  assert.deepEqual((await store.listKeys()).sort(), ["org1aaa", "org1bbb", "org2ccc"]);
  assert.deepEqual((await store.listKeys("org1")).sort(), ["org1aaa", "org1bbb"]);
  assert.deepEqual(await store.listKeys("nope"), []);
  // Limit counters are not sessions.
  await store.rateLimitHit("rate-limit-org1aaa", 5, 1000, T0);
  await store.quotaConsume("quota-org1aaa", 5, 60, T0);
  assert.equal((await store.listKeys()).length, 3);
});

test("rolling window: many concurrent hits on one bucket never allow more than the limit", async () => {
  const store = new MemoryKeyStore({ hashKeys: false });
  const hits = await Promise.all(
    Array.from({ length: 500 }, (_, i) => store.rateLimitHit("rate-limit-hot", 25, 60_000, T0 + (i % 7))),
  );
  assert.equal(hits.filter((h) => h.allowed).length, 25);
  assert.ok(hits.every((h) => h.count <= 26));
});

test("expired rate-limit logs and quota counters are dropped, bounding memory", async () => {
  const store = new MemoryKeyStore({ hashKeys: false });
  for (let i = 0; i < 3000; i++) await store.rateLimitHit(`rate-limit-k${i}`, 5, 1000, T0);
  for (let i = 0; i < 300; i++) await store.quotaConsume(`quota-k${i}`, 5, 1, T0);
  assert.equal(store.entryCount, 3300);
  // Long after every window and period: one sweep's worth of traffic on a single bucket.
  for (let i = 0; i < 3400; i++) await store.rateLimitHit("rate-limit-live", 5, 1000, T0 + 60_000 + i);
  assert.ok(store.entryCount <= 2, `entries left: ${store.entryCount}`);
});

test("quota: counts down to zero, then refuses until the period renews", async () => {
  const store = new MemoryKeyStore({ hashKeys: false });
  const q = "quota-k";
  const first = await store.quotaConsume(q, 2, 3600, T0);
  assert.deepEqual(first, { allowed: true, remaining: 1, renewsAtMs: T0 + 3_600_000 });
  assert.deepEqual(await store.quotaConsume(q, 2, 3600, T0 + 1000), {
    allowed: true,
    remaining: 0,
    renewsAtMs: T0 + 3_600_000,
  });
  assert.deepEqual(await store.quotaConsume(q, 2, 3600, T0 + 2000), {
    allowed: false,
    remaining: 0,
    renewsAtMs: T0 + 3_600_000,
  });
  assert.equal(await store.quotaUsed(q, T0 + 2000), 3);
  // The period ends exactly renewal seconds after it started.
  assert.equal((await store.quotaConsume(q, 2, 3600, T0 + 3_599_999)).allowed, false);
  assert.equal(await store.quotaUsed(q, T0 + 3_600_000), undefined);
  assert.deepEqual(await store.quotaConsume(q, 2, 3600, T0 + 3_600_000), {
    allowed: true,
    remaining: 1,
    renewsAtMs: T0 + 7_200_000,
  });
});

test("quota: without a renewal rate it never renews", async () => {
  const store = new MemoryKeyStore({ hashKeys: false });
  assert.deepEqual(await store.quotaConsume("q", 1, 0, T0), { allowed: true, remaining: 0, renewsAtMs: T0 });
  assert.equal((await store.quotaConsume("q", 1, 0, T0 + 1)).allowed, false);
  assert.equal((await store.quotaConsume("q", 1, 0, T0 + 10 * 365 * 86_400_000)).allowed, false);
  // Once a renewal rate is set, Tyk restarts a counter that has no expiry.
  assert.deepEqual(await store.quotaConsume("q", 1, 60, T0 + 5), {
    allowed: true,
    remaining: 0,
    renewsAtMs: T0 + 60_005,
  });
});

test("quota: resetQuota starts a new period; concurrent consumption never exceeds the max", async () => {
  const store = new MemoryKeyStore({ hashKeys: false });
  const results = await Promise.all(Array.from({ length: 300 }, () => store.quotaConsume("q", 40, 60, T0)));
  assert.equal(results.filter((r) => r.allowed).length, 40);
  await store.resetQuota("q");
  assert.equal(await store.quotaUsed("q", T0), undefined);
  assert.deepEqual(await store.quotaConsume("q", 40, 60, T0 + 10), {
    allowed: true,
    remaining: 39,
    renewsAtMs: T0 + 60_010,
  });
});

test("a key with a huge rate limit costs memory for its traffic only", async () => {
  const store = new MemoryKeyStore({ hashKeys: false });
  for (let i = 0; i < 100; i++) {
    const hit = await store.rateLimitHit("rate-limit-big", 1e12, 1000, 1_000_000 + i);
    assert.equal(hit.allowed, true);
    assert.equal(hit.count, i + 1);
  }
  await store.close();
});
