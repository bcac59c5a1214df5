// Applying policies to sessions, rule by rule as Tyk's policy service applies them (internal/policy/apply.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyKeyExpiry, applyPolicies, type PolicyLookup } from "../../src/policy/apply.ts";
import { urlAllowed } from "../../src/policy/granular.ts";
import { parsePolicy } from "../../src/policy/store.ts";
import type { Policy } from "../../src/policy/schema.ts";
import type { SessionState } from "../../src/store/types.ts";

const ORG = "org1";

function lookup(...policies: Policy[]): PolicyLookup {
  const byKey = new Map(policies.map((p) => [`${p.org_id ?? ""}/${p.id}`, p]));
  return { get: (org, id) => byKey.get(`${org}/${id}`) };
}

const policy = (id: string, extra: Partial<Policy> = {}): Policy => ({ id, org_id: ORG, ...extra });
const right = (extra: Record<string, unknown> = {}) => ({ versions: ["Default"], ...extra });

function apply(session: SessionState, l: PolicyLookup, apiOrg?: string): SessionState {
  const out = applyPolicies(session, l, apiOrg);
  if (out.error !== undefined) assert.fail(out.error);
  return out.session;
}

/** Plain JSON of a session (its maps are null-prototype objects). */
const json = (v: unknown) => JSON.parse(JSON.stringify(v));

test("a whole policy replaces the key's rate, quota and access rights with its own", () => {
  const s = apply(
    { org_id: ORG, rate: 1000, per: 1, quota_max: 5, apply_policies: ["gold"], access_rights: { mine: right() } },
    lookup(policy("gold", { rate: 10, per: 60, quota_max: 100, quota_renewal_rate: 3600, access_rights: { a: right(), b: right() } })),
  );
  assert.equal(s.rate, 10);
  assert.equal(s.per, 60);
  assert.equal(s.quota_max, 100);
  assert.deepEqual(Object.keys(s.access_rights!), ["a", "b"]);
  assert.deepEqual(json(s.access_rights!.a.limit), { rate: 10, per: 60, quota_max: 100, quota_renewal_rate: 3600 });
  // One policy: both APIs share its counters.
  assert.equal(s.access_rights!.a.allowance_scope, undefined);
});

test("partitions: acl from one policy, rate limit from another, quota from a third", () => {
  const s = apply(
    { org_id: ORG, apply_policies: ["acl", "rate", "quota"] },
    lookup(
      policy("acl", { partitions: { acl: true }, rate: 1, per: 1, access_rights: { a: right({ allowed_urls: [{ url: "/x", methods: ["GET"] }] }) } }),
      policy("rate", { partitions: { rate_limit: true }, rate: 5, per: 10, access_rights: { a: right() } }),
      policy("quota", { partitions: { quota: true }, quota_max: 7, quota_renewal_rate: 60, access_rights: { a: right() } }),
    ),
  );
  const limit = s.access_rights!.a.limit!;
  assert.equal(limit.rate, 5, "the acl partition's own rate is not used");
  assert.equal(limit.per, 10);
  assert.equal(limit.quota_max, 7);
  assert.equal(limit.quota_renewal_rate, 60);
  assert.deepEqual(json(s.access_rights!.a.allowed_urls), [{ url: "/x", methods: ["GET"] }]);
});

test("partitions: rights no policy grants by acl are dropped, and a key left with none is refused", () => {
  const l = lookup(
    policy("acl", { partitions: { acl: true }, access_rights: { a: right() } }),
    policy("quota", { partitions: { quota: true }, quota_max: 3, access_rights: { a: right(), b: right() } }),
  );
  assert.deepEqual(Object.keys(apply({ org_id: ORG, apply_policies: ["acl", "quota"] }, l).access_rights!), ["a"]);
  assert.equal(applyPolicies({ org_id: ORG, apply_policies: ["quota"] }, l).error, "key has no valid policies to be applied");
});

test("an API without a rate from any policy takes the session's rate (what the policies gave the session)", () => {
  const s = apply(
    { org_id: ORG, apply_policies: ["acl", "master"] },
    lookup(policy("acl", { partitions: { acl: true }, access_rights: { a: right() } }), policy("master", { rate: 4, per: 2, quota_max: 9 })),
  );
  assert.equal(s.access_rights!.a.limit!.rate, 4);
  assert.equal(s.access_rights!.a.limit!.quota_max, 9);
});

test("several policies: the higher rate and quota win (-1 is unlimited), versions and allowed_urls merge", () => {
  const s = apply(
    { org_id: ORG, apply_policies: ["p1", "p2"] },
    lookup(
      policy("p1", { rate: 10, per: 60, quota_max: 100, access_rights: { a: right({ versions: ["v1"], allowed_urls: [{ url: "/u", methods: ["GET"] }] }) } }),
      policy("p2", { rate: 10, per: 10, quota_max: -1, access_rights: { a: right({ versions: ["v2"], allowed_urls: [{ url: "/u", methods: ["POST"] }, { url: "/w", methods: ["GET"] }] }) } }),
    ),
  );
  const a = s.access_rights!.a;
  assert.deepEqual([a.limit!.rate, a.limit!.per, a.limit!.quota_max], [10, 10, -1]);
  assert.deepEqual(a.versions, ["v1", "v2"]);
  assert.deepEqual(json(a.allowed_urls), [{ url: "/u", methods: ["GET", "POST"] }, { url: "/w", methods: ["GET"] }]);
  assert.equal(a.allowance_scope, undefined, "one API: one set of counters");
});

test("policies granting different APIs: each API counts apart (allowance scope = the policy that granted it)", () => {
  const s = apply(
    { org_id: ORG, apply_policies: ["p1", "p2"] },
    lookup(policy("p1", { rate: 1, per: 1, access_rights: { a: right() } }), policy("p2", { rate: 2, per: 1, access_rights: { b: right() } })),
  );
  assert.equal(s.access_rights!.a.allowance_scope, "p1");
  assert.equal(s.access_rights!.b.allowance_scope, "p2");
});

test("per_api: each API keeps its own limit and counters; the policy's limit fills an API without one", () => {
  const s = apply(
    { org_id: ORG, apply_policies: ["per"] },
    lookup(policy("per", { partitions: { per_api: true }, rate: 9, per: 9, access_rights: { a: right({ limit: { rate: 2, per: 60 } }), b: right() } })),
  );
  assert.equal(s.access_rights!.a.allowance_scope, "a");
  assert.equal(s.access_rights!.a.limit!.rate, 2);
  assert.equal(s.access_rights!.b.allowance_scope, "per");
  assert.equal(s.access_rights!.b.limit!.rate, 9);
});

test("per_api mixed with partitions is refused, as is per_api with partitions in one policy", () => {
  const l = lookup(
    policy("per", { partitions: { per_api: true }, access_rights: { a: right({ limit: { rate: 2, per: 60 } }) } }),
    policy("part", { partitions: { acl: true }, access_rights: { b: right() } }),
    policy("both", { partitions: { per_api: true, quota: true }, access_rights: { b: right() } }),
  );
  assert.equal(applyPolicies({ org_id: ORG, apply_policies: ["per", "part"] }, l).error, "cannot apply multiple policies when some have per_api set and some are partitioned");
  assert.equal(applyPolicies({ org_id: ORG, apply_policies: ["both"] }, l).error, "cannot apply policy both which has per_api and any of partitions set");
});

test("tags and meta_data merge; an inactive policy makes the key inactive; active policies make it active", () => {
  const l = lookup(
    policy("t", { tags: ["gold", "x"], meta_data: { tier: "gold" }, access_rights: { a: right() } }),
    policy("off", { is_inactive: true, access_rights: { a: right() } }),
  );
  const s = apply({ org_id: ORG, apply_policies: ["t"], tags: ["x", "own"], meta_data: { user: "u1" }, is_inactive: true }, l);
  assert.deepEqual(s.tags, ["gold", "x", "own"]);
  assert.deepEqual(json(s.meta_data), { user: "u1", tier: "gold" });
  assert.equal(s.is_inactive, false, "only the policies decide");
  assert.equal(apply({ org_id: ORG, apply_policies: ["t", "off"] }, l).is_inactive, true);
});

test("a missing policy refuses the key alone, and is skipped among others; policies are found by org", () => {
  const l = lookup(policy("p", { access_rights: { a: right() } }));
  assert.equal(applyPolicies({ org_id: ORG, apply_policies: ["nope"] }, l).error, 'policy not found: "nope"');
  assert.deepEqual(Object.keys(apply({ org_id: ORG, apply_policies: ["nope", "p"] }, l).access_rights!), ["a"]);
  // A session without org_id looks under the API's org; a policy of another org than the API's is refused.
  assert.deepEqual(Object.keys(apply({ apply_policies: ["p"] }, l, ORG).access_rights!), ["a"]);
  assert.equal(applyPolicies({ org_id: "org2", apply_policies: ["p"] }, l).error, 'policy not found: "p"');
  assert.equal(applyPolicies({ org_id: ORG, apply_policies: ["p"] }, l, "org2").error, "attempting to apply policy from different organisation to key, skipping");
  // apply_policy_id (the older single-policy field) is honoured.
  assert.deepEqual(Object.keys(apply({ org_id: ORG, apply_policy_id: "p" }, l).access_rights!), ["a"]);
});

test("without policies: meta_data becomes an empty map and per-API limits get their own counters; else unchanged", () => {
  const l = lookup();
  const bare: SessionState = { org_id: ORG, access_rights: { a: right() } };
  const normal = apply(bare, l);
  assert.notEqual(normal, bare);
  assert.deepEqual(json(normal.meta_data), {});
  const scoped = apply({ meta_data: {}, access_rights: { a: right({ limit: { rate: 2, per: 1 } }), b: right() } }, l);
  assert.equal(scoped.access_rights!.a.allowance_scope, "a");
  assert.equal(scoped.access_rights!.b.allowance_scope, undefined);
  const done = apply(scoped, l);
  assert.equal(done, scoped, "an already normal session is not copied");
});

test("the given session is never changed", () => {
  const session: SessionState = { org_id: ORG, rate: 1, per: 1, apply_policies: ["p"], access_rights: { z: right() }, meta_data: { k: 1 } };
  const before = json(session);
  apply(session, lookup(policy("p", { rate: 5, per: 1, meta_data: { m: 2 }, access_rights: { a: right() } })));
  assert.deepEqual(json(session), before);
});

test("key_expires_in makes a new key expire that long from now", () => {
  const s: SessionState = { org_id: ORG, apply_policies: ["trial"] };
  applyKeyExpiry(s, lookup(policy("trial", { key_expires_in: 3600 })), 1000);
  assert.equal(s.expires, 4600);
});

test("allowed_urls patterns as Tyk reads them: mux placeholders, wildcards, Go regexp semantics", () => {
  assert.ok(urlAllowed([{ url: "/users/{id}/posts$", methods: ["GET"] }], "GET", "/api/users/7/posts"));
  assert.ok(!urlAllowed([{ url: "/users/{id}/posts$", methods: ["GET"] }], "GET", "/api/users/7/8/posts"));
  assert.ok(urlAllowed([{ url: "/a/*/b/*", methods: ["GET"] }], "GET", "/a/x/b/y/z"));
  const allowed = [{ url: "^/api/users/{id}$", methods: ["GET"] }, { url: "(?i)^/api/ADMIN", methods: ["DELETE"] }, { url: "(?=x)", methods: ["GET"] }];
  assert.ok(urlAllowed(allowed, "GET", "/api/users/42"));
  assert.ok(!urlAllowed(allowed, "POST", "/api/users/42"), "the method must be listed");
  assert.ok(!urlAllowed(allowed, "GET", "/api/users/42/x"));
  assert.ok(urlAllowed(allowed, "DELETE", "/api/admin/1"), "Go's (?i) flag");
  assert.ok(!urlAllowed(allowed, "get", "/api/users/42"), "methods compare exactly");
  assert.ok(!urlAllowed([{ url: "(?=x)", methods: ["GET"] }], "GET", "x"), "a pattern Go cannot compile matches nothing");
});

test("a policy whose allowed_urls pattern Go cannot compile is refused, naming the field and Go's reason", () => {
  assert.throws(
    () => parsePolicy({ id: "p", access_rights: { a: { allowed_urls: [{ url: "/x(?=y)", methods: ["GET"] }] } } }, "p.json"),
    /^ConfigError: p\.json: access_rights\.a\.allowed_urls\[0\]\.url: not a valid Go regular expression: invalid or unsupported Perl syntax/,
  );
});

test("a policy granting no API alone is refused (Tyk since 5.7), with the session as far as it was applied", () => {
  const out = applyPolicies({ org_id: ORG, apply_policies: ["master"] }, lookup(policy("master", { rate: 114, per: 1 })));
  assert.equal(out.error, "key has no valid policies to be applied");
  assert.equal(out.session.rate, 114, "what Tyk's key read shows: it changes the session in place, then fails");
});
