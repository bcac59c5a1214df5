// checkLimits: Tyk's rate limit + quota decision over a KeyStore, with injected time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkLimits, LIMIT_ERRORS } from "../../src/rate-limit/index.ts";
import { MemoryKeyStore } from "../../src/store/memory.ts";
import type { SessionState } from "../../src/store/types.ts";

const T0 = 1_700_000_000_000;
const T0_S = T0 / 1000;
const KEY = "248bfa47";

function session(extra: Partial<SessionState> = {}): SessionState {
  return {
    rate: 3,
    per: 10,
    quota_max: -1,
    quota_remaining: 0,
    quota_renewal_rate: 0,
    quota_renews: 0,
    org_id: "org1",
    access_rights: { api1: { api_id: "api1", api_name: "API 1", versions: ["Default"] } },
    ...extra,
  };
}

const store = () => new MemoryKeyStore({ hashKeys: true });

test("Tyk's answers for refused requests", () => {
  assert.deepEqual(LIMIT_ERRORS.rate_limited, { status: 429, message: "Rate Limit Exceeded" });
  assert.deepEqual(LIMIT_ERRORS.quota_exceeded, { status: 403, message: "Quota exceeded" });
});

test("rate limit: `rate` requests per `per` seconds, then rate_limited until the window slides", async () => {
  const s = store();
  const check = (ms: number) => checkLimits(s, KEY, "api1", session(), { nowMs: T0 + ms });
  for (let i = 0; i < 3; i++) assert.equal((await check(i * 100)).status, "ok");
  assert.equal((await check(300)).status, "rate_limited");
  assert.equal((await check(10_301)).status, "ok");
});

test("rate limit: a rate of 0 or less means none; a per of 0 lets everything through", async () => {
  const s = store();
  for (let i = 0; i < 50; i++) {
    assert.equal((await checkLimits(s, "a", "api1", session({ rate: 0 }), { nowMs: T0 })).status, "ok");
    assert.equal((await checkLimits(s, "b", "api1", session({ rate: -1 }), { nowMs: T0 })).status, "ok");
    assert.equal((await checkLimits(s, "c", "api1", session({ rate: 1, per: 0 }), { nowMs: T0 })).status, "ok");
  }
  // disable_rate_limit on the API.
  for (let i = 0; i < 5; i++) {
    const d = await checkLimits(s, "d", "api1", session({ rate: 1 }), { nowMs: T0, disableRateLimit: true });
    assert.equal(d.status, "ok");
  }
});

test("rate limit: concurrent requests of one key never get more than `rate` through", async () => {
  const s = store();
  const decisions = await Promise.all(
    Array.from({ length: 200 }, () => checkLimits(s, KEY, "api1", session({ rate: 7 }), { nowMs: T0 })),
  );
  assert.equal(decisions.filter((d) => d.status === "ok").length, 7);
  assert.ok(decisions.every((d) => d.status === "ok" || d.status === "rate_limited"));
});

test("quota: counts down, then quota_exceeded until it renews; the session carries the new values", async () => {
  const s = store();
  let current = session({ rate: 0, quota_max: 2, quota_remaining: 2, quota_renewal_rate: 3600 });
  const check = async (ms: number) => {
    const d = await checkLimits(s, KEY, "api1", current, { nowMs: T0 + ms });
    current = d.session;
    return d;
  };
  const first = await check(0);
  assert.equal(first.status, "ok");
  assert.equal(first.session.quota_remaining, 1);
  assert.equal(first.session.quota_renews, T0_S + 3600);
  assert.equal((await check(1000)).session.quota_remaining, 0);
  const over = await check(2000);
  assert.equal(over.status, "quota_exceeded");
  assert.equal(over.session.quota_remaining, 0);
  const renewed = await check(3_600_000);
  assert.equal(renewed.status, "ok");
  assert.equal(renewed.session.quota_remaining, 1);
  assert.equal(renewed.session.quota_renews, T0_S + 7200);
});

test("quota: -1 (or 0) is unlimited and disable_quota skips it; the session is left untouched", async () => {
  const s = store();
  const unlimited = session({ rate: 0, quota_max: -1, quota_remaining: 7 });
  for (let i = 0; i < 20; i++) {
    const d = await checkLimits(s, KEY, "api1", unlimited, { nowMs: T0 });
    assert.equal(d.status, "ok");
    assert.deepEqual({ ...d.session, access_rights: { ...d.session.access_rights } }, unlimited);
  }
  assert.equal((await checkLimits(s, KEY, "api1", session({ rate: 0, quota_max: 0 }), { nowMs: T0 })).status, "ok");
  const limited = session({ rate: 0, quota_max: 1, quota_renewal_rate: 60 });
  for (let i = 0; i < 3; i++) {
    assert.equal((await checkLimits(s, KEY, "api1", limited, { nowMs: T0, disableQuota: true })).status, "ok");
  }
});

test("a rate-limited request uses no quota", async () => {
  const s = store();
  const sess = session({ rate: 1, per: 60, quota_max: 5, quota_renewal_rate: 3600 });
  assert.equal((await checkLimits(s, KEY, "api1", sess, { nowMs: T0 })).status, "ok");
  for (let i = 1; i <= 3; i++) {
    assert.equal((await checkLimits(s, KEY, "api1", sess, { nowMs: T0 + i })).status, "rate_limited");
  }
  assert.equal(await s.quotaUsed(`quota-${KEY}`, T0 + 10), 1);
});

test("checkLimits does not modify the session it is given", async () => {
  const sess = session({ quota_max: 5, quota_remaining: 5, quota_renewal_rate: 60 });
  const before = structuredClone(sess);
  const d = await checkLimits(store(), KEY, "api1", sess, { nowMs: T0 });
  assert.deepEqual(sess, before);
  assert.equal(d.session.quota_remaining, 4);
});

test("per-API limit overrides the session's, and counters use the allowance scope", async () => {
  const s = store();
  const sess = session({
    rate: 100,
    quota_max: 100,
    quota_renewal_rate: 3600,
    access_rights: {
      api1: {
        api_id: "api1",
        allowance_scope: "shared",
        limit: { rate: 1, per: 60, quota_max: 10, quota_renewal_rate: 60, quota_remaining: 10 },
      },
      api2: { api_id: "api2", allowance_scope: "shared", limit: { rate: 5, per: 60, quota_max: 3 } },
      // All-zero limit: the session-level fields apply.
      api3: { api_id: "api3", limit: { rate: 0, per: 0, quota_max: 0 } },
    },
  });
  const first = await checkLimits(s, KEY, "api1", sess, { nowMs: T0 });
  assert.equal(first.status, "ok");
  assert.equal((await checkLimits(s, KEY, "api1", sess, { nowMs: T0 + 1 })).status, "rate_limited");
  assert.equal(await s.quotaUsed(`quota-shared-${KEY}`, T0), 1);
  // The scoped log is the one holding those hits.
  assert.equal((await s.rateLimitHit(`rate-limit-shared-${KEY}`, 1, 60_000, T0 + 2)).allowed, false);
  assert.equal((await s.rateLimitHit(`rate-limit-${KEY}`, 1, 60_000, T0 + 2)).allowed, true);

  // Every limit in the same scope gets the quota state; the session level (empty scope) does not.
  assert.equal(first.session.access_rights?.api1.limit?.quota_remaining, 9);
  assert.equal(first.session.access_rights?.api1.limit?.quota_renews, T0_S + 60);
  assert.equal(first.session.access_rights?.api2.limit?.quota_remaining, 9);
  assert.equal(first.session.quota_remaining, 0);
  assert.equal(first.session.quota_renews, 0);

  // api3 falls back to the session's rate of 100 with the empty scope.
  for (let i = 0; i < 10; i++) {
    assert.equal((await checkLimits(s, KEY, "api3", sess, { nowMs: T0 + i })).status, "ok");
  }
  assert.equal(await s.quotaUsed(`quota-${KEY}`, T0 + 10), 10);
});

test("access rights that do not list the API are refused as rate limited, as in Tyk", async () => {
  const d = await checkLimits(store(), KEY, "other-api", session(), { nowMs: T0 });
  assert.equal(d.status, "rate_limited");
  assert.deepEqual(d.headers, {});
  // No access rights at all: the session-level limits apply to any API.
  const open = await checkLimits(store(), KEY, "other-api", session({ access_rights: {} }), { nowMs: T0 });
  assert.equal(open.status, "ok");
});

test("headers from quotas (default): the key's quota after this request, on allowed requests only", async () => {
  const s = store();
  const sess = session({ rate: 2, per: 60, quota_max: 10, quota_remaining: 10, quota_renewal_rate: 3600 });
  const ok = await checkLimits(s, KEY, "api1", sess, { nowMs: T0 + 500 });
  assert.deepEqual(ok.headers, {
    "X-RateLimit-Limit": "10",
    "X-RateLimit-Remaining": "9",
    "X-RateLimit-Reset": String(Math.floor((T0 + 500) / 1000) + 3600),
  });
  await checkLimits(s, KEY, "api1", ok.session, { nowMs: T0 + 600 });
  const limited = await checkLimits(s, KEY, "api1", ok.session, { nowMs: T0 + 700 });
  assert.equal(limited.status, "rate_limited");
  assert.deepEqual(limited.headers, {});

  // An unlimited quota still reports the stored values.
  const unlimited = await checkLimits(store(), KEY, "api1", session({ rate: 0, quota_remaining: 0 }), { nowMs: T0 });
  assert.deepEqual(unlimited.headers, {
    "X-RateLimit-Limit": "-1",
    "X-RateLimit-Remaining": "0",
    "X-RateLimit-Reset": "0",
  });

  // A per-API limit's quota is reported for that API.
  const perApi = session({
    quota_max: 50,
    access_rights: { api1: { api_id: "api1", limit: { rate: 0, quota_max: 5, quota_renewal_rate: 60 } } },
  });
  const d = await checkLimits(store(), KEY, "api1", perApi, { nowMs: T0 });
  assert.deepEqual(d.headers, {
    "X-RateLimit-Limit": "5",
    "X-RateLimit-Remaining": "4",
    "X-RateLimit-Reset": String(T0_S + 60),
  });
});

test("headers from rate_limits: limit, requests left in the window and when it has room, refusals included", async () => {
  const s = store();
  const opts = (ms: number) => ({ nowMs: T0 + ms, headersFrom: "rate_limits" as const });
  const sess = session({ rate: 3, per: 10 });
  assert.deepEqual((await checkLimits(s, KEY, "api1", sess, opts(0))).headers, {
    "X-RateLimit-Limit": "3",
    "X-RateLimit-Remaining": "2",
    "X-RateLimit-Reset": String(T0_S),
  });
  assert.equal((await checkLimits(s, KEY, "api1", sess, opts(1000))).headers["X-RateLimit-Remaining"], "1");
  // The last slot: Tyk reports a whole window ahead.
  const last = await checkLimits(s, KEY, "api1", sess, opts(2000));
  assert.equal(last.headers["X-RateLimit-Remaining"], "0");
  assert.equal(last.headers["X-RateLimit-Reset"], String(T0_S + 12));
  // Refused at +2500: room again when the hit at +1000 leaves the window (+11s).
  const refused = await checkLimits(s, KEY, "api1", sess, opts(2500));
  assert.equal(refused.status, "rate_limited");
  assert.deepEqual(refused.headers, {
    "X-RateLimit-Limit": "3",
    "X-RateLimit-Remaining": "0",
    "X-RateLimit-Reset": String(T0_S + 11),
  });
  // No rate limit, no rate headers.
  assert.deepEqual((await checkLimits(s, KEY, "api1", session({ rate: 0 }), opts(0))).headers, {});
});
