// Bad key input is refused at the door: /tyk/keys validates bodies as Tyk's json.Unmarshal into user.SessionState
// does (400 "Request malformed", here naming the field), every Gateway API body is read once with a depth limit,
// every answer is JSON, fractional rates are honoured, and ?hashed=true addresses a key by its hash.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { gatewayApi } from "../../src/gateway-api/index.ts";
import { Metrics } from "../../src/metrics/index.ts";
import { PolicyStore } from "../../src/policy/store.ts";
import { checkLimits } from "../../src/rate-limit/index.ts";
import type { ApiRegistry } from "../../src/registry/index.ts";
import { MemoryKeyStore } from "../../src/store/memory.ts";
import { createRedisKeyStore } from "../../src/store/redis.ts";
import { type GatewayProcess, keylessApi, SECRET, startGatewayProcess } from "../helpers/gateway.ts";
import { startRedis } from "../helpers/redis.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const admin = { "x-tyk-authorization": SECRET };
let up: Upstream;
/** hash_keys on, rate-limit headers from the rate limiter. */
let gw: GatewayProcess;
/** hash_keys off. */
let unhashed: GatewayProcess;

const keyedApi = (target: string) => ({
  ...keylessApi("k", "/k/", target),
  use_keyless: false,
  use_standard_auth: true,
  auth: { auth_header_name: "Authorization" },
});

before(async () => {
  up = await startUpstream();
  [gw, unhashed] = await Promise.all([
    startGatewayProcess({ hash_keys: true, rate_limit_response_headers: "rate_limits" }, [keyedApi(up.url)]),
    startGatewayProcess({}, [keyedApi(up.url)]),
  ]);
});

after(async () => {
  await gw?.stop();
  await unhashed?.stop();
  await up?.close();
});

const validKey = (extra: Record<string, unknown> = {}) => ({
  org_id: "default",
  alias: "valid",
  access_rights: { k: { api_id: "k", api_name: "k", versions: ["Default"] } },
  ...extra,
});

interface Answer {
  status: number;
  type: string | null;
  body: { status?: string; message?: string; key?: string; key_hash?: string; alias?: string };
}

async function call(g: GatewayProcess, method: string, path: string, body?: string): Promise<Answer> {
  const res = await fetch(`${g.url}${path}`, { method, headers: admin, body });
  return { status: res.status, type: res.headers.get("content-type"), body: await res.json() };
}

async function createKey(extra: Record<string, unknown> = {}): Promise<{ key: string; hash: string }> {
  const a = await call(gw, "POST", "/tyk/keys", JSON.stringify(validKey(extra)));
  assert.equal(a.status, 200, JSON.stringify(a.body));
  return { key: a.body.key!, hash: a.body.key_hash! };
}

function proxied(key: string): Promise<Response> {
  return fetch(`${gw.url}/k/get`, { headers: { authorization: key } });
}

async function proxiedStatus(key: string): Promise<number> {
  const res = await proxied(key);
  await res.body?.cancel();
  return res.status;
}

function assertMalformed(a: Answer, mention: string, what: string): void {
  assert.equal(a.status, 400, `${what}: ${JSON.stringify(a.body)}`);
  assert.match(a.type ?? "", /application\/json/, what);
  assert.equal(a.body.status, "error", what);
  assert.ok(a.body.message?.startsWith("Request malformed"), `${what}: ${a.body.message}`);
  assert.ok(a.body.message?.includes(mention), `${what}: "${a.body.message}" should mention ${mention}`);
}

test("wrongly typed key fields are refused with 400 naming the field, on create and update, and nothing is stored", async () => {
  const cases: Array<[string, string]> = [
    [JSON.stringify(validKey({ rate: "abc" })), "rate"],
    [JSON.stringify(validKey({ access_rights: [{ api_id: "k" }] })), "access_rights"],
    [JSON.stringify(validKey({ expires: 1.5 })), "expires"],
    [JSON.stringify(validKey({ quota_max: "10" })), "quota_max"],
    [
      JSON.stringify(validKey({ access_rights: { k: { api_id: "k", limit: { quota_max: "x" } } } })),
      "access_rights.k.limit.quota_max",
    ],
    [JSON.stringify(validKey({ access_rights: { k: "all" } })), "access_rights.k"],
    [JSON.stringify(validKey({ meta_data: "x" })), "meta_data"],
    [JSON.stringify(validKey({ date_created: "yesterday" })), "date_created"],
    [JSON.stringify(validKey({ tags: [1] })), "tags[0]"],
    [JSON.stringify(validKey({ is_inactive: "false" })), "is_inactive"],
    // JSON has no Infinity: 1e400 parses to it, and Go refuses it as out of range.
    [JSON.stringify(validKey()).replace(/^\{/, '{"per":1e400,'), "per"],
  ];
  const existing = await createKey();
  for (const [i, [body, field]] of cases.entries()) {
    assertMalformed(await call(gw, "POST", "/tyk/keys", body), field, `POST ${body}`);
    assertMalformed(await call(gw, "POST", `/tyk/keys/custom-key-${i}`, body), field, `POST custom ${body}`);
    assert.equal((await call(gw, "GET", `/tyk/keys/custom-key-${i}`)).status, 404, `custom key ${i} was not stored`);
    assertMalformed(await call(gw, "PUT", `/tyk/keys/${existing.key}`, body), field, `PUT ${body}`);
  }
  // The key that updates tried to break is as it was.
  assert.equal((await call(gw, "GET", `/tyk/keys/${existing.key}`)).body.alias, "valid");
  assert.equal(await proxiedStatus(existing.key), 200);
});

test("a body that is not a key object is refused with a JSON 400", async () => {
  for (const body of ["[]", '"key"', "null", "42", "{", '{"rate": 1,}', "", "   "]) {
    assertMalformed(await call(gw, "POST", "/tyk/keys", body), "Request malformed", `body ${JSON.stringify(body)}`);
  }
});

test("JSON nested 100 000 levels deep gets a JSON 400 from every Gateway API endpoint that reads a body", async () => {
  const depth = 100_000;
  const deep = "[".repeat(depth) + "]".repeat(depth);
  const inKey = JSON.stringify(validKey({ meta_data: { deep: "@" } })).replace('"@"', deep);
  const inApi = JSON.stringify(keylessApi("deep", "/deep/", up.url, { config_data: { deep: "@" } })).replace(
    '"@"',
    deep,
  );
  const existing = await createKey();
  const calls: Array<[string, string, string]> = [
    ["POST", "/tyk/keys", inKey],
    ["POST", "/tyk/keys/create", inKey],
    ["POST", "/tyk/keys/deep-custom-key", inKey],
    ["PUT", `/tyk/keys/${existing.key}`, inKey],
    ["POST", "/tyk/keys", deep],
    ["POST", "/tyk/apis", inApi],
    ["PUT", "/tyk/apis/k", inApi],
    ["POST", "/tyk/apis", deep],
  ];
  for (const [method, path, body] of calls) {
    assertMalformed(await call(gw, method, path, body), "nested deeper", `${method} ${path}`);
  }
  assert.equal(await proxiedStatus(existing.key), 200, "the key is unchanged");
  // Nesting that real keys could have is fine, and such a key works.
  const nested = JSON.stringify(validKey({ meta_data: { deep: "@" } })).replace(
    '"@"',
    "[".repeat(200) + "]".repeat(200),
  );
  const ok = await call(gw, "POST", "/tyk/keys", nested);
  assert.equal(ok.status, 200);
  assert.equal(await proxiedStatus(ok.body.key!), 200);
});

test("fractional rates are honoured on average: 0.5 per second is one request every 2 seconds", async () => {
  // 0.5 per 0.5 s: one request per second.
  const { key } = await createKey({ rate: 0.5, per: 0.5 });
  assert.equal(await proxiedStatus(key), 200);
  assert.equal(await proxiedStatus(key), 429);
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal(await proxiedStatus(key), 200, "a second later there is room again");

  // The window the limiter reports: rate/per stretched to whole requests, not per truncated or stretched.
  const resetIn = async (k: string) => {
    const res = await proxied(k);
    await res.body?.cancel();
    return {
      status: res.status,
      limit: res.headers.get("x-ratelimit-limit"),
      seconds: Number(res.headers.get("x-ratelimit-reset")) - Date.now() / 1000,
    };
  };
  const half = await resetIn((await createKey({ rate: 0.5, per: 10 })).key);
  assert.equal(half.status, 200);
  assert.equal(half.limit, "1");
  assert.ok(half.seconds > 15 && half.seconds <= 20, `0.5 per 10 s: the next request after 20 s, got ${half.seconds}`);
  const oneAndHalf = (await createKey({ rate: 1.5, per: 3 })).key;
  const first = await resetIn(oneAndHalf);
  assert.equal(first.status, 200);
  assert.ok(first.seconds > 0.5 && first.seconds <= 2.5, `1.5 per 3 s: one request per 2 s, got ${first.seconds}`);
  assert.equal((await resetIn(oneAndHalf)).status, 429);
});

test("extreme rates and windows are decided, not failed, on the embedded store and on Redis", async () => {
  const redis = await startRedis();
  const stores = [
    new MemoryKeyStore({ hashKeys: false }),
    createRedisKeyStore({ host: "127.0.0.1", port: redis.port, hashKeys: false }),
  ];
  const T = 1_700_000_000_000;
  try {
    for (const [i, store] of stores.entries()) {
      for (const [rate, per] of [[1e-300, 1], [1, 1e300], [1e-9, 1e9], [1e300, 1]]) {
        const session = { rate, per, quota_max: -1 };
        const what = `store ${i}: rate ${rate} per ${per}`;
        const decide = (nowMs: number) =>
          checkLimits(store, `k${rate}-${per}`, "k", session, { nowMs, headersFrom: "rate_limits" });
        const first = await decide(T);
        assert.equal(first.status, "ok", what);
        assert.match(first.headers["X-RateLimit-Reset"], /^\d+$/, what);
        assert.equal((await decide(T + 1000)).status, rate < 1 || per > 1e6 ? "rate_limited" : "ok", what);
      }
    }
  } finally {
    for (const store of stores) await store.close();
    await redis.stop();
  }
});

test("?hashed=true reads, updates and deletes a key by its hash while hash_keys is on", async () => {
  const { key, hash } = await createKey({ alias: "by-hash" });
  assert.match(hash, /^[0-9a-f]{8}$/);
  const read = await call(gw, "GET", `/tyk/keys/${hash}?hashed=true`);
  assert.equal(read.status, 200);
  assert.equal(read.body.alias, "by-hash");
  assert.equal(
    (await call(gw, "GET", `/tyk/keys/${hash}`)).status,
    404,
    "without the flag the hash is taken for a key",
  );

  const updated = await call(
    gw,
    "PUT",
    `/tyk/keys/${hash}?hashed=true`,
    JSON.stringify(validKey({ alias: "updated" })),
  );
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  assert.equal((await call(gw, "GET", `/tyk/keys/${key}`)).body.alias, "updated");
  assert.equal(await proxiedStatus(key), 200);

  assert.equal((await call(gw, "DELETE", `/tyk/keys/${hash}`)).status, 404, "without the flag nothing is deleted");
  const deleted = await call(gw, "DELETE", `/tyk/keys/${hash}?hashed=true`);
  assert.equal(deleted.status, 200);
  assert.equal(deleted.body.status, "ok");
  assert.equal(await proxiedStatus(key), 403, "the deleted key no longer opens the API");
  assert.equal((await call(gw, "GET", `/tyk/keys/${hash}?hashed=true`)).status, 404);
});

test("?hashed=true without hash_keys is refused, as Tyk does", async () => {
  const a = await call(unhashed, "GET", "/tyk/keys/anything?hashed=true");
  assert.equal(a.status, 400);
  assert.deepEqual(a.body, { status: "error", message: "Key requested by hash but key hashing is not enabled" });
});

test("an unexpected failure in a Gateway API call is answered as JSON, not plain text", async () => {
  class BrokenStore extends MemoryKeyStore {
    override getSession(): never {
      throw new Error("disk on fire");
    }
  }
  const logged: unknown[] = [];
  const api = gatewayApi({
    secret: SECRET,
    appPath: "/nonexistent",
    registry: {} as ApiRegistry,
    metrics: new Metrics(),
    metricsPath: "/tyk/metrics",
    store: new BrokenStore({ hashKeys: false }),
    hashKeys: false,
    hashKeyFunction: "",
    allowMasterKeys: false,
    allowListing: true,
    policies: new PolicyStore({ kind: "none" }),
    log: { error: (fields: unknown) => void logged.push(fields) },
  });
  const res = await api.request("/keys/some-key", { headers: admin });
  assert.equal(res.status, 500);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  assert.deepEqual(await res.json(), { status: "error", message: "Internal Server Error" });
  assert.equal(logged.length, 1, "and the failure is logged");
});
