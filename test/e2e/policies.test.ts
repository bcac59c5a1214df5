// Keys and security policies as a Tyk user drives them: the checks Tyk runs after authentication (policies, key
// expiry, access rights, granular access, rate limits and quotas, the API's global rate limit) for standard auth
// tokens and for a Go auth_check plugin that builds the session from its token, and policies managed through
// policy files and the Gateway API.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type GatewayProcess, keylessApi, SECRET, startGatewayProcess } from "../helpers/gateway.ts";
import { testShim } from "../helpers/shim.ts";
import { type Echo, startUpstream, type Upstream } from "../helpers/upstream.ts";

const { plugins } = await testShim();
const ORG = "default";
let up: Upstream;
/** An upstream that sends its own X-RateLimit-* headers. */
let limiting: Server;
let gw: GatewayProcess;
let policyDir: string;
const admin = { "x-tyk-authorization": SECRET };
const access = (...ids: string[]) => Object.fromEntries(ids.map((id) => [id, { api_id: id, versions: ["Default"] }]));

const POLICIES: Record<string, Record<string, unknown>> = {
  gold: { id: "gold", org_id: ORG, rate: 100, per: 60, quota_max: -1, tags: ["gold"], meta_data: { tier: "gold" }, access_rights: access("plugin", "bare") },
  tight: { id: "tight", org_id: ORG, rate: 2, per: 60, quota_max: -1, access_rights: access("plugin", "bare", "keyed") },
  off: { id: "off", org_id: ORG, is_inactive: true, access_rights: access("plugin", "bare", "keyed") },
  foreign: { id: "foreign", org_id: "another-org", access_rights: access("keyed") },
  "quota-part": { id: "quota-part", org_id: ORG, partitions: { quota: true }, quota_max: 2, quota_renewal_rate: 3600, rate: 1, per: 60, access_rights: access("keyed") },
  "acl-rate": {
    id: "acl-rate",
    org_id: ORG,
    partitions: { acl: true, rate_limit: true },
    rate: 50,
    per: 60,
    access_rights: { keyed: { api_id: "keyed", versions: ["Default"], allowed_urls: [{ url: "/keyed/allowed/{id}$", methods: ["GET"] }] } },
  },
  "per-api": {
    id: "per-api",
    org_id: ORG,
    partitions: { per_api: true },
    access_rights: {
      keyed: { api_id: "keyed", versions: ["Default"], limit: { rate: 2, per: 60 } },
      keyed2: { api_id: "keyed2", versions: ["Default"], limit: { rate: 3, per: 60 } },
    },
  },
  trial: { id: "trial", org_id: ORG, key_expires_in: 3600, access_rights: access("keyed") },
  "typed-gold": { id: "typed-gold", org_id: ORG, rate: 100, per: 60, quota_max: -1, meta_data: { tier: "gold" }, access_rights: access("typed") },
};

const pluginAuth = (id: string, postKeyAuth: boolean) => ({
  ...keylessApi(id, `/${id}/`, up.url),
  use_keyless: false,
  use_go_plugin_auth: true,
  custom_middleware: {
    driver: "goplugin",
    auth_check: { name: "SessionFromToken", path: plugins.tokenauth },
    post_key_auth: postKeyAuth ? [{ name: "MarkSession", path: plugins.tokenauth }] : [],
  },
});
const keyed = (id: string, extra: Record<string, unknown> = {}) => ({
  ...keylessApi(id, `/${id}/`, up.url),
  use_keyless: false,
  use_standard_auth: true,
  auth: { auth_header_name: "Authorization" },
  ...extra,
});

/** The auth_check plugin's token: the session itself, base64url JSON. */
const token = (session: Record<string, unknown>) => Buffer.from(JSON.stringify({ org_id: ORG, ...session })).toString("base64url");

async function call(path: string, key?: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${gw.url}${path}`, { ...init, headers: { ...(key ? { authorization: key } : {}), ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}

async function adminCall(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${gw.url}${path}`, { method, headers: admin, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

async function createKey(session: Record<string, unknown>): Promise<string> {
  const out = await adminCall("POST", "/tyk/keys", { org_id: ORG, ...session });
  assert.equal(out.status, 200, JSON.stringify(out.body));
  return String(out.body.key);
}

async function reload(): Promise<void> {
  assert.equal((await adminCall("GET", "/tyk/reload")).status, 200);
}

before(async () => {
  up = await startUpstream();
  limiting = createServer((_req, res) => res.writeHead(200, { "x-ratelimit-limit": "999", "x-ratelimit-remaining": "998" }).end("ok"));
  await new Promise<void>((r) => limiting.listen(0, "127.0.0.1", r));
  policyDir = mkdtempSync(join(tmpdir(), "tykgw-policies-"));
  for (const [id, p] of Object.entries(POLICIES)) writeFileSync(join(policyDir, `${id}.json`), JSON.stringify(p));
  writeFileSync(join(policyDir, "broken.json"), JSON.stringify({ id: "broken", org_id: ORG, rate: "fast" }));
  gw = await startGatewayProcess({ hash_keys: true, policies: { policy_source: "file", policy_path: policyDir } }, [
    pluginAuth("plugin", true),
    pluginAuth("bare", false),
    keyed("keyed"),
    keyed("keyed2"),
    keyed("versioned", { version_data: { not_versioned: false, default_version: "v2", versions: { v1: { name: "v1" }, v2: { name: "v2" } } } }),
    keyed("versioned-first", { version_data: { not_versioned: false, versions: { Default: { name: "Default" } } } }),
    keylessApi("open", "/open/", up.url, { global_rate_limit: { rate: 2, per: 60 } }),
    keyed("limited", { global_rate_limit: { rate: 1, per: 60 } }),
    { ...pluginAuth("stripped", true), strip_auth_data: true },
    {
      ...pluginAuth("typed", false),
      custom_middleware: {
        driver: "goplugin",
        auth_check: { name: "TypedSessionFromToken", path: plugins.tokenauth },
        post_key_auth: [{ name: "ReportTypedSession", path: plugins.tokenauth }],
      },
    },
    keyed("stripped-keyed", { strip_auth_data: true, custom_middleware: { driver: "goplugin", post_key_auth: [{ name: "MarkSession", path: plugins.tokenauth }] } }),
    keyed("upstream-limits", { proxy: { listen_path: "/upstream-limits/", target_url: `http://127.0.0.1:${(limiting.address() as AddressInfo).port}`, strip_listen_path: true } }),
  ]);
});

after(async () => {
  await gw.stop();
  await up.close();
  await new Promise((r) => limiting.close(r));
});

test("policy files: each policy loads; a bad one is skipped and logged with its file and field", async () => {
  const skipped = await gw.waitForLog((l) => typeof l.msg === "string" && l.msg.startsWith("policy skipped"));
  assert.equal(skipped.file, join(policyDir, "broken.json"));
  assert.match(String(skipped.msg), /broken\.json: rate: expected a number, got string/);
  const list = await adminCall("GET", "/tyk/policies");
  assert.deepEqual((list.body as unknown as Array<{ id: string }>).map((p) => p.id).sort(), Object.keys(POLICIES).sort());
});

for (const api of ["bare", "plugin"]) {
  test(`${api}: an auth_check session is refused as Tyk refuses it: expired, inactive, or for another API`, async () => {
    const hits = up.hits;
    const past = Math.floor(Date.now() / 1000) - 3600;
    for (const expires of [past, 300]) {
      assert.deepEqual(await call(`/${api}/x`, token({ expires, access_rights: access(api) })).then((r) => [r.status, r.body]), [
        401,
        { error: "Key has expired, please renew" },
      ]);
    }
    const inactive = await call(`/${api}/x`, token({ is_inactive: true }));
    assert.deepEqual([inactive.status, inactive.body], [403, { error: "Key is inactive, please renew" }]);
    const elsewhere = await call(`/${api}/x`, token({ access_rights: access("keyed") }));
    assert.deepEqual([elsewhere.status, elsewhere.body], [403, { error: "Access to this API has been disallowed" }]);
    assert.equal(up.hits, hits, "nothing reached the upstream");
  });

  test(`${api}: a plugin session that only names a policy gets the policy's rate limit and access rights`, async () => {
    const key = token({ alias: api, apply_policies: ["tight"] });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(`/${api}/x`, key)).status);
    assert.deepEqual(statuses, [200, 200, 429]);
    const refused = await call(`/${api}/x`, key);
    assert.deepEqual(refused.body, { error: "Rate Limit Exceeded" });
    const inactive = await call(`/${api}/x`, token({ apply_policies: ["off"] }));
    assert.deepEqual([inactive.status, inactive.body], [403, { error: "Key is inactive, please renew" }]);
    const missing = await call(`/${api}/x`, token({ apply_policies: ["no-such-policy"] }));
    assert.deepEqual([missing.status, missing.body], [500, { error: "Internal Server Error" }]);
  });
}

test("plugin: post_key_auth gets the session as the gateway enforces it: policy applied, MetaData a map", async () => {
  const res = await call("/plugin/get", token({ apply_policies: ["gold"] }));
  assert.equal(res.status, 200);
  const seen = JSON.parse(String((res.body as Echo).headers["x-pka-session"]));
  assert.deepEqual(seen, {
    rate: 100,
    per: 60,
    quota_max: -1,
    rights: ["bare", "plugin"],
    tags: ["gold"],
    meta_data: { tier: "gold", post_key_auth: "seen" },
    is_inactive: false,
  });
  // A session without MetaData: the hook writes into it (Tyk gives it an empty map; nil would panic: 500).
  const bare = await call("/plugin/get", token({ access_rights: access("plugin") }));
  assert.equal(bare.status, 200);
  assert.deepEqual(JSON.parse(String((bare.body as Echo).headers["x-pka-session"])).meta_data, { post_key_auth: "seen" });
});

test("plugin: post_key_auth gets the auth_check's own session object, with or without policies, changed in place as Tyk does", async () => {
  // No policy, a per-API limit (its own counters: allowance_scope) and no MetaData: Tyk's policy step changes both.
  const rights = { typed: { api_id: "typed", versions: ["Default"], limit: { rate: 100, per: 60 } } };
  const report = (h: Record<string, unknown>) => [h["x-same-session"], h["x-level-type"], h["x-tier"], h["x-meta-nil"], h["x-scope"]];
  for (const intLevel of [false, true]) {
    const res = await call("/typed/get", token({ access_rights: rights }), { headers: intLevel ? { "x-int-level": "1" } : {} });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(report((res.body as Echo).headers), ["true", intLevel ? "int" : "<nil>", "<nil>", "false", "typed"]);
  }
  // A policy: its rights and meta_data are merged into that same object; the int the hook put there stays an int.
  const res = await call("/typed/get", token({ apply_policies: ["typed-gold"] }), { headers: { "x-int-level": "1" } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(report((res.body as Echo).headers).slice(0, 4), ["true", "int", "gold", "false"]);
});

test("plugin: custom policies in the session (meta_data.policies) are applied instead of the named ones, as in Tyk", async () => {
  const custom = (rights: string[], extra: Record<string, unknown> = {}) =>
    token({ apply_policies: ["gold"], meta_data: { policies: [{ id: "cx", org_id: ORG, rate: 1, per: 60, access_rights: access(...rights), ...extra }] } });
  // Only another API: refused, although the named policy (gold) would allow this one.
  const elsewhere = await call("/bare/x", custom(["keyed"]));
  assert.deepEqual([elsewhere.status, elsewhere.body], [403, { error: "Access to this API has been disallowed" }]);
  // This API, one request a minute: the custom policy's limit, not gold's.
  const key = custom(["bare"], { tags: [`run-${Date.now()}`] });
  assert.deepEqual([(await call("/bare/x", key)).status, (await call("/bare/x", key)).status], [200, 429]);
  // Of another org: not applied (as a missing policy: 500 after a Go plugin).
  const foreign = await call("/bare/x", custom(["bare"], { org_id: "another-org" }));
  assert.equal(foreign.status, 500);
  // An empty list, or entries that are not policies, are not custom policies: the named one (tight: 2 a minute) applies.
  for (const policies of [[], ["tight"], [42]]) {
    const named = token({ apply_policies: ["tight"], alias: `named-${JSON.stringify(policies)}-${Date.now()}`, meta_data: { policies } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call("/bare/x", named)).status);
    assert.deepEqual(statuses, [200, 200, 429], JSON.stringify(policies));
  }
});

test("plugin: a policy post_key_auth sets is applied before the key's limits", async () => {
  const key = token({ alias: "upgraded", apply_policies: ["gold"] });
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await call("/plugin/x", key, { headers: { "x-set-policy": "tight" } })).status);
  assert.deepEqual(statuses, [200, 200, 429]);
});

test("standard auth: policy problems refuse the key: of another org than the API, inactive; keys API answers", async () => {
  // Stored (its own org has the policy), refused on an API of another org.
  const foreign = await adminCall("POST", "/tyk/keys", { org_id: "another-org", apply_policies: ["foreign"] });
  assert.equal(foreign.status, 200);
  const refused = await call("/keyed/x", String(foreign.body.key));
  assert.deepEqual([refused.status, refused.body], [403, { error: "Access to this API has been disallowed" }]);
  const inactive = await call("/keyed/x", await createKey({ apply_policies: ["off"] }));
  assert.deepEqual([inactive.status, inactive.body], [403, { error: "Key is inactive, please renew" }]);
  // A key naming a policy that does not exist is not stored.
  const key = await createKey({ access_rights: access("keyed") });
  const put = await adminCall("PUT", `/tyk/keys/${key}`, { org_id: ORG, apply_policies: ["no-such-policy"] });
  assert.deepEqual([put.status, put.body], [500, { status: "error", message: "Failed to create key, ensure security settings are correct." }]);
  const created = await adminCall("POST", "/tyk/keys/create", { org_id: ORG, apply_policies: ["no-such-policy"] });
  assert.deepEqual([created.status, created.body], [500, { status: "error", message: 'Failed to create key - policy not found: "no-such-policy"' }]);
  assert.equal((await call("/keyed/x", key)).status, 200, "the key is unchanged");
});

test("partitions: ACL and rate limit from one policy, quota from another; allowed_urls by path pattern and method", async () => {
  const key = await createKey({ apply_policies: ["quota-part", "acl-rate"] });
  const first = await call("/keyed/allowed/1", key);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get("x-ratelimit-limit"), "2", "the quota partition's quota");
  assert.equal(first.headers.get("x-ratelimit-remaining"), "1");
  const other = await call("/keyed/other", key);
  assert.deepEqual([other.status, other.body], [403, { error: "Access to this resource has been disallowed" }]);
  const post = await call("/keyed/allowed/1", key, { method: "POST" });
  assert.equal(post.status, 403, "allowed_urls lists GET only");
  assert.equal((await call("/keyed/allowed/2/more", key)).status, 403, "the pattern ends with $");
  // The quota partition's rate (1 per minute) is not the key's: the acl-rate policy's 50 per minute is.
  const second = await call("/keyed/allowed/2", key);
  assert.deepEqual([second.status, second.headers.get("x-ratelimit-remaining")], [200, "0"]);
  const third = await call("/keyed/allowed/3", key);
  assert.deepEqual([third.status, third.body], [403, { error: "Quota exceeded" }]);
});

test("per-API limits: each API of a key counts apart, from a per_api policy or the key's own access rights", async () => {
  const viaPolicy = await createKey({ apply_policies: ["per-api"] });
  const own = await createKey({
    access_rights: {
      keyed: { api_id: "keyed", versions: ["Default"], limit: { rate: 2, per: 60 } },
      keyed2: { api_id: "keyed2", versions: ["Default"], limit: { rate: 3, per: 60 } },
    },
  });
  for (const key of [viaPolicy, own]) {
    const run = async (api: string, n: number) => {
      const out = [];
      for (let i = 0; i < n; i++) out.push((await call(`/${api}/x`, key)).status);
      return out;
    };
    assert.deepEqual(await run("keyed", 3), [200, 200, 429]);
    assert.deepEqual(await run("keyed2", 4), [200, 200, 200, 429]);
  }
});

test("versions: on a versioned API the key's access right must list the version served (default_version, else the one listed)", async () => {
  const v1 = await createKey({ access_rights: { versioned: { api_id: "versioned", versions: ["v1"] } } });
  const v2 = await createKey({ access_rights: { versioned: { api_id: "versioned", versions: ["v2"] } } });
  const refused = await call("/versioned/x", v1);
  assert.deepEqual([refused.status, refused.body], [403, { error: "Access to this API has been disallowed" }]);
  assert.equal((await call("/versioned/x", v2)).status, 200);
  // Without default_version the version served is the one listed.
  assert.equal((await call("/versioned-first/x", await createKey({ access_rights: { "versioned-first": { versions: ["Default"] } } }))).status, 200);
  assert.equal((await call("/versioned-first/x", await createKey({ access_rights: { "versioned-first": { versions: ["v9"] } } }))).status, 403);
});

test("global_rate_limit: the API's own limit counts every request, keyless included", async () => {
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push(await call("/open/x"));
  assert.deepEqual(statuses.map((r) => r.status), [200, 200, 429]);
  assert.deepEqual(statuses[2].body, { error: "API Rate Limit Exceeded" });
});

test("global_rate_limit on a keyed API: after the key's own limits; its 429 carries no quota headers", async () => {
  const key = await createKey({ quota_max: 10, quota_renewal_rate: 3600, access_rights: access("limited") });
  const first = await call("/limited/x", key);
  assert.deepEqual([first.status, first.headers.get("x-ratelimit-limit"), first.headers.get("x-ratelimit-remaining")], [200, "10", "9"]);
  const second = await call("/limited/x", key);
  assert.deepEqual([second.status, second.body], [429, { error: "API Rate Limit Exceeded" }]);
  assert.equal(second.headers.get("x-ratelimit-limit"), null, "Tyk sends quota headers only with answers it proxied");
});

test("quota headers replace an upstream's own X-RateLimit-* headers, as Tyk sets them", async () => {
  const key = await createKey({ quota_max: 5, quota_renewal_rate: 3600, access_rights: access("upstream-limits") });
  const res = await call("/upstream-limits/x", key);
  assert.deepEqual([res.status, res.headers.get("x-ratelimit-limit"), res.headers.get("x-ratelimit-remaining")], [200, "5", "4"]);
});

test("strip_auth_data, for every auth method: post_key_auth still sees the key; the upstream gets neither it nor its cookie", async () => {
  const keys: Array<[string, string]> = [
    ["stripped", token({ access_rights: access("stripped") })],
    ["stripped-keyed", await createKey({ access_rights: access("stripped-keyed") })],
  ];
  for (const [api, key] of keys) {
    const res = await call(`/${api}/get`, key, { headers: { cookie: "Authorization=abc; other=1" } });
    assert.equal(res.status, 200, api);
    const echo = res.body as Echo;
    assert.equal(echo.headers["x-pka-saw-auth"], "yes", api);
    assert.equal(echo.headers.authorization, undefined, api);
    assert.equal(echo.headers.cookie, "other=1", api);
  }
});

test("keys: a key naming a policy gets its values and key_expires_in; changing the policy changes the key", async () => {
  const key = await createKey({ apply_policies: ["tight"] });
  const stored = (await adminCall("GET", `/tyk/keys/${key}`)).body;
  assert.deepEqual([stored.rate, stored.per], [2, 60]);
  assert.deepEqual(Object.keys(stored.access_rights as object).sort(), ["bare", "keyed", "plugin"]);
  const trial = (await adminCall("GET", `/tyk/keys/${await createKey({ apply_policies: ["trial"] })}`)).body;
  const inAnHour = Math.floor(Date.now() / 1000) + 3600;
  assert.ok(Math.abs(Number(trial.expires) - inAnHour) <= 5, `expires ${trial.expires}, expected about ${inAnHour}`);

  const put = await adminCall("PUT", "/tyk/policies/tight", { ...POLICIES.tight, rate: 1 });
  assert.deepEqual(put.body, { key: "tight", status: "ok", action: "modified" });
  assert.equal((await adminCall("GET", "/tyk/policies/tight")).body.rate, 2, "served after a reload, as in Tyk");
  await reload();
  assert.equal((await adminCall("GET", "/tyk/policies/tight")).body.rate, 1);
  assert.equal((await adminCall("GET", `/tyk/keys/${key}`)).body.rate, 1, "the key was not touched, the policy changed");
  assert.deepEqual([(await call("/keyed/x", key)).status, (await call("/keyed/x", key)).status], [200, 429]);
});

test("/tyk/policies: create, read, delete, with a reload; Tyk's answers for bad bodies", async () => {
  const fresh = { id: "fresh", org_id: ORG, rate: 10, per: 1, access_rights: access("keyed") };
  assert.deepEqual((await adminCall("POST", "/tyk/policies", fresh)).body, { key: "fresh", status: "ok", action: "added" });
  assert.equal((await adminCall("GET", "/tyk/policies/fresh")).status, 404);
  await reload();
  assert.equal((await adminCall("GET", "/tyk/policies/fresh")).body.rate, 10);
  const key = await createKey({ apply_policies: ["fresh"] });
  assert.equal((await call("/keyed/x", key)).status, 200);
  assert.deepEqual((await adminCall("DELETE", "/tyk/policies/fresh")).body, { key: "fresh", status: "ok", action: "deleted" });
  await reload();
  assert.deepEqual(await adminCall("GET", "/tyk/policies/fresh"), { status: 404, body: { status: "error", message: "Policy not found" } });
  assert.equal((await call("/keyed/x", key)).status, 403, "a key whose policy is gone is refused");
  assert.deepEqual(await adminCall("DELETE", "/tyk/policies/fresh"), { status: 500, body: { status: "error", message: "Delete failed" } });

  const bad = async (method: string, path: string, body: unknown) => (await adminCall(method, path, body)).body.message;
  assert.equal(await bad("POST", "/tyk/policies", { id: "x", rate: "fast" }), "Request malformed: rate: expected a number, got string");
  assert.equal(await bad("POST", "/tyk/policies", { id: "a/b" }), "Invalid Policy ID: Allowed characters: a-z, A-Z, 0-9, ., _, -, ~");
  assert.equal(await bad("POST", "/tyk/policies", { rate: 1 }), "Unable to create policy without id.");
  assert.equal(await bad("PUT", "/tyk/policies/one", { id: "two" }), "Request ID does not match that in policy! For Update operations these must match.");
});

test("SIGHUP reloads policies with the APIs", async () => {
  writeFileSync(join(policyDir, "hup.json"), JSON.stringify({ id: "hup", org_id: ORG, access_rights: access("keyed") }));
  const listening = gw.logs.find((l) => typeof l.msg === "string" && l.msg.startsWith("gateway listening"))!;
  process.kill(Number(listening.pid), "SIGHUP");
  await gw.waitForLog((l) => Array.isArray(l.loaded) && l.loaded.includes("hup"));
  assert.equal((await adminCall("GET", "/tyk/policies/hup")).status, 200);
});
