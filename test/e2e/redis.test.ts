// Many gateways, one state: two real gateway processes sharing one real
// Redis act as one (keys, rate limits, group reloads, analytics for Tyk
// Pump), and survive Redis going away.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Redis } from "ioredis";
import { type GatewayProcess, keylessApi, SECRET, startGatewayProcess } from "../helpers/gateway.ts";
import { startRedis, type TestRedis } from "../helpers/redis.ts";
import { type Echo, startUpstream, type Upstream } from "../helpers/upstream.ts";

let up: Upstream;
let redis: TestRedis;
let a: GatewayProcess;
let b: GatewayProcess;
const admin = { "x-tyk-authorization": SECRET };

const keyed = (id: string) => ({ ...keylessApi(id, `/${id}/`, up.url), use_keyless: false, use_standard_auth: true, auth: { auth_header_name: "Authorization" } });
const conf = () => ({ hash_keys: true, enable_analytics: true, storage: { type: "redis", host: "127.0.0.1", port: redis.port, timeout: 1 } });

before(async () => {
  up = await startUpstream();
  redis = await startRedis();
  a = await startGatewayProcess(conf(), [keyed("keyed"), keylessApi("open", "/open/", up.url)]);
  b = await startGatewayProcess(conf(), [keyed("keyed"), keylessApi("open", "/open/", up.url)]);
});

after(async () => {
  await a.stop();
  await b.stop();
  await redis.stop();
  await up.close();
});

async function createKey(gw: GatewayProcess, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch(`${gw.url}/tyk/keys`, {
    method: "POST",
    headers: admin,
    body: JSON.stringify({ org_id: "o", access_rights: { keyed: { api_id: "keyed", versions: ["Default"] } }, ...extra }),
  });
  const out = await res.json();
  assert.equal(res.status, 200, JSON.stringify(out));
  return out.key;
}

const status = async (gw: GatewayProcess, path: string, key?: string) => {
  const res = await fetch(`${gw.url}${path}`, { headers: key ? { authorization: key } : {} });
  await res.text();
  return res.status;
};

test("redis: a key created on one gateway works on the other at once; deleting it revokes it on both", async () => {
  const key = await createKey(a);
  assert.equal(await status(b, "/keyed/x", key), 200);
  assert.equal(await status(a, "/keyed/x", key), 200);
  const del = await fetch(`${b.url}/tyk/keys/${key}`, { method: "DELETE", headers: admin });
  assert.equal((await del.json()).action, "deleted");
  assert.equal(await status(a, "/keyed/x", key), 403);
  assert.equal(await status(b, "/keyed/x", key), 403);
});

test("redis: a rate limit of N is shared: N requests in total pass through both gateways", async () => {
  const key = await createKey(a, { rate: 10, per: 60 });
  const codes = await Promise.all(Array.from({ length: 30 }, (_, i) => status(i % 2 ? a : b, "/keyed/x", key)));
  assert.equal(codes.filter((c) => c === 200).length, 10);
  assert.equal(codes.filter((c) => c === 429).length, 20);
});

test("redis: /tyk/reload/group and /tyk/apis changes on one gateway reload both", async () => {
  writeFileSync(join(a.appPath, "late.json"), JSON.stringify(keylessApi("late", "/late/", up.url)));
  writeFileSync(join(b.appPath, "late.json"), JSON.stringify(keylessApi("late", "/late/", up.url)));
  const res = await fetch(`${a.url}/tyk/reload/group`, { headers: admin });
  assert.equal(res.status, 200);
  await res.text();
  assert.equal(await status(a, "/late/x"), 200);
  await b.waitForLog((l) => l.msg === "cluster notification: reloading APIs", 5000);
  for (let i = 0; i < 50 && (await status(b, "/late/x")) !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await status(b, "/late/x"), 200);
  // An API created through /tyk/apis on one gateway makes the group reload: b picks up a file it was given.
  writeFileSync(join(b.appPath, "later.json"), JSON.stringify(keylessApi("later", "/later/", up.url)));
  assert.equal(await status(b, "/later/x"), 404);
  const created = await fetch(`${a.url}/tyk/apis`, { method: "POST", headers: admin, body: JSON.stringify(keylessApi("viaapi", "/viaapi/", up.url)) });
  assert.equal((await created.json()).action, "added");
  assert.equal(await status(a, "/viaapi/x"), 200, "served at once in a group");
  for (let i = 0; i < 50 && (await status(b, "/later/x")) !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await status(b, "/later/x"), 200);
});

test("redis: analytics records land in tyk-system-analytics for Tyk Pump", async () => {
  assert.equal(await status(a, "/open/counted"), 200);
  const client = new Redis({ port: redis.port, host: "127.0.0.1", lazyConnect: true });
  await client.connect();
  try {
    let found = false;
    for (let i = 0; i < 50 && !found; i++) {
      const raw = await client.lrangeBuffer("tyk-system-analytics", 0, -1);
      found = raw.some((rec) => rec.includes(Buffer.from("/open/counted")));
      if (!found) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(found, "a msgpack record with the request's path was pushed");
  } finally {
    client.disconnect();
  }
});

test("redis: when Redis goes away keyless APIs flow, keyed ones fail closed; both recover when it returns", async () => {
  const key = await createKey(a);
  await redis.stop();
  assert.equal(await status(a, "/open/x"), 200);
  const refused = await fetch(`${a.url}/keyed/x`, { headers: { authorization: key } });
  assert.equal(refused.status, 503);
  assert.deepEqual(await refused.json(), { error: "Key store unavailable" });
  // The test Redis comes back empty (no persistence): the gateways reconnect by themselves.
  await redis.restart();
  let code = 0;
  for (let i = 0; i < 50 && code !== 200; i++) {
    const res = await fetch(`${a.url}/tyk/keys`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ org_id: "o", access_rights: { keyed: { api_id: "keyed", versions: ["Default"] } } }),
    });
    const out = await res.json();
    code = res.status === 200 ? await status(b, "/keyed/x", out.key) : res.status;
    if (code !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(code, 200, "a key made on one gateway after Redis returned works on the other");
});
