// What every KeyStore must do, whatever holds the data: one set of cases run
// against the embedded store (memory.test.ts) and against Redis (redis.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { isSessionExpired } from "../../src/store/session.ts";
import type { KeyStore, SessionState } from "../../src/store/types.ts";

export const T0 = 1_700_000_000_000;

export function session(extra: Partial<SessionState> = {}): SessionState {
  return {
    rate: 10,
    per: 60,
    quota_max: -1,
    org_id: "org1",
    access_rights: { api1: { api_id: "api1", api_name: "API 1", versions: ["Default"] } },
    meta_data: { team: "a" },
    ...extra,
  };
}

/** Opens a fresh, empty store for one test and closes it afterwards. */
export type WithStore = (opts: { hashKeys: boolean }, fn: (store: KeyStore) => Promise<void>) => Promise<void>;

export function keyStoreContract(name: string, withStore: WithStore): void {
  const t = (title: string, hashKeys: boolean, fn: (store: KeyStore) => Promise<void>) =>
    test(`${name}: ${title}`, () => withStore({ hashKeys }, fn));

  t("sessions: set, get, overwrite, delete", false, async (store) => {
    assert.equal(await store.getSession("k1"), undefined);
    await store.setSession("k1", session());
    // Through JSON: maps keyed by user data come back with a null prototype.
    assert.deepEqual(JSON.parse(JSON.stringify(await store.getSession("k1"))), session());
    await store.setSession("k1", session({ rate: 99 }));
    assert.equal((await store.getSession("k1"))?.rate, 99);
    assert.equal(await store.deleteSession("k1"), true);
    assert.equal(await store.deleteSession("k1"), false);
    assert.equal(await store.getSession("k1"), undefined);
  });

  t("with hash_keys the session is stored under the hash and can be addressed by it", true, async (store) => {
    await store.setSession("hello", session());
    assert.deepEqual(await store.listKeys(), ["248bfa47"]);
    assert.equal((await store.getSession("248bfa47", { hashed: true }))?.org_id, "org1");
    // Without the flag the hash is taken for a key and hashed again.
    assert.equal(await store.getSession("248bfa47"), undefined);
    assert.equal(await store.deleteSession("248bfa47", { hashed: true }), true);
    assert.equal(await store.getSession("hello"), undefined);
    // Writing by hash (Tyk's key API updates hashed keys this way) reaches the same session.
    await store.setSession("248bfa47", session({ alias: "by-hash" }), { hashed: true });
    assert.equal((await store.getSession("hello"))?.alias, "by-hash");
  });

  t("an expired session stays readable; isSessionExpired says when auth must refuse it", false, async (store) => {
    const expires = Math.floor(T0 / 1000);
    await store.setSession("k", session({ expires }));
    const read = await store.getSession("k");
    assert.ok(read);
    assert.equal(isSessionExpired(read, T0 - 1000), false);
    // Tyk: expired only once now is after the expiry instant.
    assert.equal(isSessionExpired(read, expires * 1000), false);
    assert.equal(isSessionExpired(read, expires * 1000 + 1), true);
    assert.equal(isSessionExpired(session({ expires: 0 }), T0 * 10), false);
    assert.equal(isSessionExpired(session(), T0 * 10), false);
  });

  t("a closed store refuses further use", false, async (store) => {
    await store.setSession("k", session());
    await store.close();
    await assert.rejects(store.getSession("k"), /closed/);
    await assert.rejects(store.rateLimitHit("b", 1, 1000, T0), /closed/);
  });

  t("rolling window: N hits allowed, the next refused, allowed again once the window slides", false, async (store) => {
    const b = "rate-limit-k";
    for (let i = 0; i < 3; i++) {
      const hit = await store.rateLimitHit(b, 3, 10_000, T0 + i * 1000);
      assert.equal(hit.allowed, true, `hit ${i + 1}`);
      assert.equal(hit.count, i + 1);
    }
    assert.equal((await store.rateLimitHit(b, 3, 10_000, T0 + 3000)).allowed, false);
    // The window (T0, T0+10_000] holds +1000, +2000 and the refused +3000.
    assert.equal((await store.rateLimitHit(b, 3, 10_000, T0 + 10_000)).allowed, false);
    // (T0+1500, T0+11_500] holds +2000 and the two refused hits: refused hits count (Tyk logs every request).
    assert.equal((await store.rateLimitHit(b, 3, 10_000, T0 + 11_500)).allowed, false);
    // (T0+3500, T0+13_500] holds +10_000 and +11_500 only.
    const later = await store.rateLimitHit(b, 3, 10_000, T0 + 13_500);
    assert.equal(later.allowed, true);
    assert.equal(later.count, 3);
    assert.equal((await store.rateLimitHit(b, 3, 10_000, T0 + 40_000)).count, 1);
  });

  t("rolling window: a hit exactly one window old no longer counts", false, async (store) => {
    // The window is (now - window, now], as Tyk's ZREMRANGEBYSCORE -inf (now - per) leaves it.
    assert.equal((await store.rateLimitHit("a", 1, 1000, T0)).allowed, true);
    assert.equal((await store.rateLimitHit("a", 1, 1000, T0 + 999)).allowed, false);
    assert.equal((await store.rateLimitHit("b", 1, 1000, T0)).allowed, true);
    assert.equal((await store.rateLimitHit("b", 1, 1000, T0 + 1000)).allowed, true);
  });

  t("rolling window: resetMs is when the window has room again, as Tyk computes it", false, async (store) => {
    assert.equal((await store.rateLimitHit("b", 3, 10_000, T0)).resetMs, 0);
    assert.equal((await store.rateLimitHit("b", 3, 10_000, T0 + 1000)).resetMs, 0);
    // Using the last slot: Tyk reports a whole window.
    assert.equal((await store.rateLimitHit("b", 3, 10_000, T0 + 2000)).resetMs, 10_000);
    // Refused at T0+4000: the 3rd newest hit, counting this one, is T0+1000; it leaves the window at T0+11_000.
    const refused = await store.rateLimitHit("b", 3, 10_000, T0 + 4000);
    assert.equal(refused.allowed, false);
    assert.equal(refused.count, 4);
    assert.equal(refused.resetMs, 7000);
    assert.equal((await store.rateLimitHit("b", 3, 10_000, T0 + 11_000)).allowed, true);
  });

  t("rolling window: buckets are independent; a lowered limit applies to the hits already logged", false, async (store) => {
    assert.equal((await store.rateLimitHit("a", 1, 1000, T0)).allowed, true);
    assert.equal((await store.rateLimitHit("b", 1, 1000, T0)).allowed, true);
    assert.equal((await store.rateLimitHit("a", 1, 1000, T0 + 1)).allowed, false);
    for (let i = 0; i < 3; i++) assert.equal((await store.rateLimitHit("c", 3, 1000, T0 + i)).allowed, true);
    assert.equal((await store.rateLimitHit("c", 1, 1000, T0 + 3)).allowed, false);
    assert.equal((await store.rateLimitHit("c", 1, 1000, T0 + 1003)).allowed, true);
  });
}

/** A store keeping its counters on this machine, which can say how many rate-limit logs and quota counters it holds. */
export type EmbeddedStore = KeyStore & { readonly entryCount: number };

/**
 * What the embedded stores (memory, SQLite) do beyond the contract: cases with injected clocks for TTLs and periods
 * too (Redis's TTLs run on its own clock), sweeping of what expired, and exactness under concurrent use.
 */
export function embeddedStoreContract(name: string, open: () => EmbeddedStore): void {
  const e = (title: string, fn: (store: EmbeddedStore) => Promise<void>) =>
    test(`${name}: ${title}`, async () => {
      const store = open();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    });

  e("sessions: fields we do not model round-trip, and callers never share the stored object", async (store) => {
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

  e("listKeys returns stored names, filtered by prefix", async (store) => {
    for (const k of ["org1aaa", "org1bbb", "org2ccc"]) await store.setSession(k, session());
    assert.deepEqual((await store.listKeys()).sort(), ["org1aaa", "org1bbb", "org2ccc"]);
    assert.deepEqual((await store.listKeys("org1")).sort(), ["org1aaa", "org1bbb"]);
    assert.deepEqual(await store.listKeys("nope"), []);
    // Limit counters are not sessions.
    await store.rateLimitHit("rate-limit-org1aaa", 5, 1000, T0);
    await store.quotaConsume("quota-org1aaa", 5, 60, T0);
    assert.equal((await store.listKeys()).length, 3);
  });

  e("rolling window: many concurrent hits on one bucket never allow more than the limit", async (store) => {
    const hits = await Promise.all(
      Array.from({ length: 500 }, (_, i) => store.rateLimitHit("rate-limit-hot", 25, 60_000, T0 + (i % 7))),
    );
    assert.equal(hits.filter((h) => h.allowed).length, 25);
    assert.ok(hits.every((h) => h.count <= 26));
  });

  e("expired rate-limit logs and quota counters are dropped, bounding storage", async (store) => {
    for (let i = 0; i < 3000; i++) await store.rateLimitHit(`rate-limit-k${i}`, 5, 1000, T0);
    for (let i = 0; i < 300; i++) await store.quotaConsume(`quota-k${i}`, 5, 1, T0);
    assert.equal(store.entryCount, 3300);
    // Long after every window and period: one sweep's worth of traffic on a single bucket.
    for (let i = 0; i < 3400; i++) await store.rateLimitHit("rate-limit-live", 5, 1000, T0 + 60_000 + i);
    assert.ok(store.entryCount <= 2, `entries left: ${store.entryCount}`);
  });

  e("quota: counts down to zero, then refuses until the period renews", async (store) => {
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

  e("quota: without a renewal rate it never renews", async (store) => {
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

  e("quota: resetQuota starts a new period; concurrent consumption never exceeds the max", async (store) => {
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

  e("a key with a huge rate limit is counted exactly (storage follows its traffic, not its limit)", async (store) => {
    for (let i = 0; i < 100; i++) {
      const hit = await store.rateLimitHit("rate-limit-big", 1e12, 1000, 1_000_000 + i);
      assert.equal(hit.allowed, true);
      assert.equal(hit.count, i + 1);
    }
  });
}
