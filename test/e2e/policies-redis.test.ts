// Policies with many gateways on one Redis: keys naming a policy are enforced alike by every gateway, with shared
// counters (the key's, per API, and the APIs' global rate limits), and a policy changed through one gateway's
// /tyk/policies is enforced by all of them at once (group reload; the gateways share the policy directory, as Tyk
// gateways share their policy files).
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Redis } from "ioredis";
import { type GatewayProcess, keylessApi, SECRET, startGatewayProcess } from "../helpers/gateway.ts";
import { startRedis, type TestRedis } from "../helpers/redis.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const ORG = "default";
let up: Upstream;
let redis: TestRedis;
let a: GatewayProcess;
let b: GatewayProcess;
const admin = { "x-tyk-authorization": SECRET };
const right = (id: string, limit?: Record<string, number>) => ({ api_id: id, versions: ["Default"], ...(limit ? { limit } : {}) });
const SHARED = { id: "shared", org_id: ORG, rate: 3, per: 60, quota_max: -1, access_rights: { keyed: right("keyed") } };
const PER_API = { id: "per-api", org_id: ORG, partitions: { per_api: true }, access_rights: { keyed: right("keyed", { rate: 1, per: 60 }), keyed2: right("keyed2", { rate: 1, per: 60 }) } };

before(async () => {
  up = await startUpstream();
  redis = await startRedis();
  const policyDir = mkdtempSync(join(tmpdir(), "tykgw-policies-"));
  for (const p of [SHARED, PER_API]) writeFileSync(join(policyDir, `${p.id}.json`), JSON.stringify(p));
  const keyed = (id: string) => ({ ...keylessApi(id, `/${id}/`, up.url), use_keyless: false, use_standard_auth: true, auth: { auth_header_name: "Authorization" } });
  const apis = [keyed("keyed"), keyed("keyed2"), keylessApi("open", "/open/", up.url, { global_rate_limit: { rate: 2, per: 60 } })];
  const conf = { hash_keys: true, storage: { type: "redis", host: "127.0.0.1", port: redis.port, timeout: 1 }, policies: { policy_path: policyDir } };
  a = await startGatewayProcess(conf, apis);
  b = await startGatewayProcess(conf, apis);
});

after(async () => {
  await a.stop();
  await b.stop();
  await redis.stop();
  await up.close();
});

async function createKey(gw: GatewayProcess, policies: string[]): Promise<{ key: string; hash: string }> {
  const res = await fetch(`${gw.url}/tyk/keys`, { method: "POST", headers: admin, body: JSON.stringify({ org_id: ORG, apply_policies: policies }) });
  const out = await res.json();
  assert.equal(res.status, 200, JSON.stringify(out));
  return { key: out.key, hash: out.key_hash };
}

const status = async (gw: GatewayProcess, path: string, key?: string) => {
  const res = await fetch(`${gw.url}${path}`, { headers: key ? { authorization: key } : {} });
  await res.text();
  return res.status;
};

test("redis: a key naming a policy is enforced by every gateway with one shared rate limit", async () => {
  const { key } = await createKey(a, ["shared"]);
  assert.deepEqual([await status(b, "/keyed/x", key), await status(a, "/keyed/x", key), await status(b, "/keyed/x", key)], [200, 200, 200]);
  assert.deepEqual([await status(a, "/keyed/x", key), await status(b, "/keyed/x", key)], [429, 429]);
});

test("redis: per-API limits of a per_api policy count apart, under Tyk's counter names, on every gateway", async () => {
  const { key, hash } = await createKey(b, ["per-api"]);
  assert.deepEqual([await status(a, "/keyed/x", key), await status(b, "/keyed/x", key)], [200, 429]);
  assert.deepEqual([await status(b, "/keyed2/x", key), await status(a, "/keyed2/x", key)], [200, 429]);
  const client = new Redis({ host: "127.0.0.1", port: redis.port });
  try {
    assert.deepEqual((await client.keys(`rate-limit-*${hash}`)).sort(), [`rate-limit-keyed-${hash}`, `rate-limit-keyed2-${hash}`]);
  } finally {
    client.disconnect();
  }
});

test("redis: an API's global_rate_limit is shared by the gateways", async () => {
  assert.deepEqual([await status(a, "/open/x"), await status(b, "/open/x"), await status(a, "/open/x"), await status(b, "/open/x")], [200, 200, 429, 429]);
});

test("redis: a policy changed through one gateway's /tyk/policies is enforced by all of them at once", async () => {
  const { key } = await createKey(a, ["shared"]);
  const res = await fetch(`${a.url}/tyk/policies/shared`, { method: "PUT", headers: admin, body: JSON.stringify({ ...SHARED, rate: 1 }) });
  assert.deepEqual(await res.json(), { key: "shared", status: "ok", action: "modified" });
  // B reloads on the group notification; give it a moment to receive it.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pol = await (await fetch(`${b.url}/tyk/policies/shared`, { headers: admin })).json();
    if (pol.rate === 1) break;
    assert.ok(Date.now() < deadline, "gateway B did not reload the policy");
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual([await status(b, "/keyed/x", key), await status(a, "/keyed/x", key)], [200, 429]);
});
