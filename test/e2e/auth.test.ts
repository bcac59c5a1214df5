// Standard auth tokens, the keys API, rate limits and quotas, as a Tyk user
// drives them.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type GatewayProcess, keylessApi, SECRET, startGatewayProcess } from "../helpers/gateway.ts";
import { testShim } from "../helpers/shim.ts";
import { type Echo, startUpstream, type Upstream } from "../helpers/upstream.ts";

const { plugins } = await testShim();
let up: Upstream;
let gw: GatewayProcess;
const admin = { "x-tyk-authorization": SECRET };

const keyed = (id: string, listenPath: string, extra: Record<string, unknown> = {}) => ({
  ...keylessApi(id, listenPath, up.url),
  use_keyless: false,
  use_standard_auth: true,
  auth: { auth_header_name: "Authorization" },
  ...extra,
});

const session = (apiId: string, extra: Record<string, unknown> = {}) => ({
  org_id: "default",
  alias: `alias-${apiId}`,
  rate: 0,
  per: 0,
  quota_max: -1,
  access_rights: { [apiId]: { api_id: apiId, api_name: apiId, versions: ["Default"] } },
  meta_data: { tyk_developer_id: "d1" },
  ...extra,
});

async function createKey(body: unknown): Promise<string> {
  const res = await fetch(`${gw.url}/tyk/keys`, { method: "POST", headers: admin, body: JSON.stringify(body) });
  const out = await res.json();
  assert.equal(res.status, 200, JSON.stringify(out));
  assert.equal(out.action, "added");
  return out.key;
}

before(async () => {
  up = await startUpstream();
  gw = await startGatewayProcess({ hash_keys: true }, [
    keyed("keyed", "/keyed/", { custom_middleware: { driver: "goplugin", post_key_auth: [{ name: "ShowSession", path: plugins.session }] } }),
    keyed("other", "/other/"),
    keylessApi("open", "/open/", up.url, { custom_middleware: { driver: "goplugin", post_key_auth: [{ name: "Boom", path: plugins.panics }] } }),
  ]);
});

after(async () => {
  await gw.stop();
  await up.close();
});

test("auth: no key is 401, an unknown key 403, in Tyk's error shape", async () => {
  const none = await fetch(`${gw.url}/keyed/x`);
  assert.equal(none.status, 401);
  assert.deepEqual(await none.json(), { error: "Authorization field missing" });
  const unknown = await fetch(`${gw.url}/keyed/x`, { headers: { authorization: "nope" } });
  assert.equal(unknown.status, 403);
  assert.deepEqual(await unknown.json(), { error: "Access to this API has been disallowed" });
});

test("auth: a key created through /tyk/keys opens its API, and post_key_auth sees its session", async () => {
  const key = await createKey(session("keyed"));
  const res = await fetch(`${gw.url}/keyed/get`, { headers: { authorization: key } });
  assert.equal(res.status, 200);
  const echo: Echo = await res.json();
  assert.equal(echo.headers["x-session-alias"], "alias-keyed");
  assert.equal(echo.headers["x-developer-id"], "d1");
  assert.equal(echo.headers["x-auth-token"], key);
  const other = await fetch(`${gw.url}/other/get`, { headers: { authorization: key } });
  assert.equal(other.status, 403, "access rights name only the keyed API");
  await other.text();
});

test("auth: post_key_auth never runs on a keyless API", async () => {
  const res = await fetch(`${gw.url}/open/x`);
  assert.equal(res.status, 200, "the panicking post_key_auth hook did not run");
  await res.text();
});

test("auth: read, update and delete a key; a deleted key is refused", async () => {
  const key = await createKey(session("keyed"));
  const got = await (await fetch(`${gw.url}/tyk/keys/${key}`, { headers: admin })).json();
  assert.equal(got.alias, "alias-keyed");
  const put = await fetch(`${gw.url}/tyk/keys/${key}`, { method: "PUT", headers: admin, body: JSON.stringify(session("keyed", { alias: "renamed" })) });
  assert.equal((await put.json()).action, "modified");
  const echo: Echo = await (await fetch(`${gw.url}/keyed/x`, { headers: { authorization: key } })).json();
  assert.equal(echo.headers["x-session-alias"], "renamed");
  const del = await fetch(`${gw.url}/tyk/keys/${key}`, { method: "DELETE", headers: admin });
  assert.equal((await del.json()).action, "deleted");
  const after = await fetch(`${gw.url}/keyed/x`, { headers: { authorization: key } });
  assert.equal(after.status, 403);
  await after.text();
  const missing = await fetch(`${gw.url}/tyk/keys/${key}`, { headers: admin });
  assert.equal(missing.status, 404);
  await missing.text();
});

test("auth: the rate limit allows `rate` requests per `per` seconds, then 429", async () => {
  const key = await createKey(session("keyed", { rate: 3, per: 60 }));
  const codes = [];
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${gw.url}/keyed/x`, { headers: { authorization: key } });
    codes.push(res.status);
    if (res.status === 429) assert.deepEqual(await res.json(), { error: "Rate Limit Exceeded" });
    else await res.text();
  }
  assert.deepEqual(codes, [200, 200, 200, 429, 429]);
});

test("auth: the quota counts down in X-RateLimit-* headers, then 403 Quota exceeded", async () => {
  const key = await createKey(session("keyed", { quota_max: 2, quota_remaining: 2, quota_renewal_rate: 3600 }));
  const first = await fetch(`${gw.url}/keyed/x`, { headers: { authorization: key } });
  assert.equal(first.headers.get("x-ratelimit-limit"), "2");
  assert.equal(first.headers.get("x-ratelimit-remaining"), "1");
  assert.ok(Number(first.headers.get("x-ratelimit-reset")) > Date.now() / 1000);
  await first.text();
  const second = await fetch(`${gw.url}/keyed/x`, { headers: { authorization: key } });
  assert.equal(second.headers.get("x-ratelimit-remaining"), "0");
  await second.text();
  const third = await fetch(`${gw.url}/keyed/x`, { headers: { authorization: key } });
  assert.equal(third.status, 403);
  assert.deepEqual(await third.json(), { error: "Quota exceeded" });
});

test("auth: keys must carry access rights (Tyk's default), and the API needs the secret", async () => {
  const res = await fetch(`${gw.url}/tyk/keys`, { method: "POST", headers: admin, body: JSON.stringify({ org_id: "x" }) });
  assert.equal(res.status, 400);
  assert.match((await res.json()).message, /Access Rights/);
  const denied = await fetch(`${gw.url}/tyk/keys`, { method: "POST", body: "{}" });
  assert.equal(denied.status, 403);
  await denied.text();
});
