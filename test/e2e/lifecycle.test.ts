// Lifecycle and operations: graceful stop, plugin call timeouts, the
// Gateway API's secret, APIs created through the API and reloaded, metrics
// and analytics.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type GatewayProcess, keylessApi, SECRET, startGatewayProcess } from "../helpers/gateway.ts";
import { testShim } from "../helpers/shim.ts";
import { type Echo, startUpstream, type Upstream } from "../helpers/upstream.ts";

const { plugins } = await testShim();
let up: Upstream;
let gw: GatewayProcess;
const admin = { "x-tyk-authorization": SECRET };

before(async () => {
  up = await startUpstream();
  gw = await startGatewayProcess({ enable_analytics: true, plugin_gateway: { plugin_timeout_ms: 300 } }, [
    keylessApi("sleepy", "/sleepy/", up.url, { custom_middleware: { driver: "goplugin", pre: [{ name: "SleepIfAsked", path: plugins.slow }] } }),
    keylessApi("header", "/header/", up.url, { custom_middleware: { driver: "goplugin", pre: [{ name: "AddFooBarHeader", path: plugins.addheader }] } }),
    keylessApi("answers", "/answers/", up.url, { custom_middleware: { driver: "goplugin", pre: [{ name: "Teapot", path: plugins.sendtime }] } }),
  ]);
});

after(async () => {
  await gw.stop();
  await up.close();
});

test("lifecycle: a plugin call over plugin_timeout_ms fails its request with 504 while others are served", async () => {
  const slow = fetch(`${gw.url}/sleepy/x`, { headers: { "x-sleep-ms": "2000" } });
  const t0 = performance.now();
  const fast = await fetch(`${gw.url}/header/x`);
  assert.equal(fast.status, 200);
  await fast.text();
  assert.ok(performance.now() - t0 < 1500, "served while the plugin sleeps");
  const res = await slow;
  assert.equal(res.status, 504);
  await res.text();
  const ok = await fetch(`${gw.url}/sleepy/y`);
  assert.equal(ok.status, 200);
  await ok.text();
});

test("lifecycle: a 4xx a plugin writes is passed as is, and every request leaves one analytics record", async () => {
  const res = await fetch(`${gw.url}/answers/brew`);
  assert.equal(res.status, 418);
  assert.equal(await res.text(), "hello");
  assert.equal(res.headers.get("x-teapot"), "yes");
  const file = join(gw.dir, "analytics.jsonl");
  let records: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 50 && !records.some((r) => r.path === "/answers/brew"); i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (existsSync(file)) records = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  }
  const rec = records.find((r) => r.path === "/answers/brew");
  assert.ok(rec, "record written");
  assert.equal(rec.response_code, 418);
  assert.equal(rec.api_id, "answers");
  assert.equal(rec.method, "GET");
  assert.equal(typeof (rec.latency as Record<string, number>).total, "number");
});

test("lifecycle: metrics count plugin calls under Tyk's names, behind the secret", async () => {
  await (await fetch(`${gw.url}/header/m`)).text();
  assert.equal((await fetch(`${gw.url}/tyk/metrics`)).status, 403);
  const text = await (await fetch(`${gw.url}/tyk/metrics`, { headers: admin })).text();
  const name = `GoPluginMiddleware:${plugins.addheader}:AddFooBarHeader`;
  const calls = new RegExp(`tyk_plugin_calls_total\\{mw_name="${name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}"\\} (\\d+)`).exec(text);
  assert.ok(calls && Number(calls[1]) >= 1, text);
  assert.ok(text.includes(`mw_name="${name}.exec_time"`));
});

test("lifecycle: an API created through /tyk/apis serves after /tyk/reload", async () => {
  const def = keylessApi("created", "/created/", up.url);
  const bad = await fetch(`${gw.url}/tyk/apis`, { method: "POST", headers: admin, body: JSON.stringify({ api_id: "x", proxy: { listen_path: "/x/" } }) });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).message, /proxy\.target_url/);
  const res = await fetch(`${gw.url}/tyk/apis`, { method: "POST", headers: admin, body: JSON.stringify(def) });
  assert.deepEqual(await res.json(), { key: "created", status: "ok", action: "added" });
  assert.ok(existsSync(join(gw.appPath, "created.json")));
  assert.equal((await fetch(`${gw.url}/created/x`)).status, 404, "not served before a reload");
  const reload = await fetch(`${gw.url}/tyk/reload?block=true`, { headers: admin });
  assert.equal((await reload.json()).status, "ok");
  assert.equal(((await (await fetch(`${gw.url}/created/x`)).json()) as Echo).url, "/x");
  const got = await (await fetch(`${gw.url}/tyk/apis/created`, { headers: admin })).json();
  assert.equal(got.api_id, "created");
  const del = await fetch(`${gw.url}/tyk/apis/created`, { method: "DELETE", headers: admin });
  assert.equal((await del.json()).action, "deleted");
});

test("lifecycle: an empty secret closes the Gateway API, with a warning", async () => {
  const g = await startGatewayProcess({ secret: "" }, []);
  try {
    await g.waitForLog((l) => String(l.msg).includes("secret is empty"));
    for (const headers of [{}, { "x-tyk-authorization": "" }] as Array<Record<string, string>>) {
      const res = await fetch(`${g.url}/tyk/apis`, { headers });
      assert.equal(res.status, 403);
      await res.text();
    }
  } finally {
    await g.stop();
  }
});

test("lifecycle: SIGTERM lets a request in flight finish, then exits 0", async () => {
  const g = await startGatewayProcess({}, [keylessApi("a", "/a/", up.url)]);
  const inflight = fetch(`${g.url}/a/slow?ms=700`).then(async (r) => [r.status, ((await r.json()) as Echo).url]);
  await new Promise((r) => setTimeout(r, 200));
  const code = g.stop("SIGTERM");
  assert.deepEqual(await inflight, [200, "/slow?ms=700"]);
  assert.equal(await code, 0, `logs: ${JSON.stringify(g.logs)} stderr: ${g.stderr}`);
  await assert.rejects(fetch(`${g.url}/a/x`), "no longer accepting");
});
