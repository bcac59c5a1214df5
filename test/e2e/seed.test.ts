// Every example of Tyk's Go plugin guide, through the real gateway process
// and a real upstream, with plugins built by our builder.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type GatewayProcess, goVirtualEndpoints, keylessApi, SECRET, startGatewayProcess } from "../helpers/gateway.ts";
import { testShim } from "../helpers/shim.ts";
import { type Echo, startUpstream, type Upstream } from "../helpers/upstream.ts";

const { plugins } = await testShim();
let up: Upstream;
let gw: GatewayProcess;

const cm = (hooks: Record<string, unknown>) => ({ custom_middleware: { driver: "goplugin", ...hooks } });

before(async () => {
  up = await startUpstream();
  gw = await startGatewayProcess({}, [
    keylessApi("addheader", "/addheader/", up.url, cm({ post: [{ name: "AddFooBarHeader", path: plugins.addheader }] })),
    keylessApi("sendtime", "/sendtime/", up.url, cm({ pre: [{ name: "SendCurrentTime", path: plugins.sendtime }] })),
    {
      ...keylessApi("auth", "/auth/", up.url, cm({
        auth_check: { name: "MyPluginAuthCheck", path: plugins.authcheck },
        post_key_auth: [{ name: "ShowSession", path: plugins.session }],
      })),
      use_keyless: false,
      use_go_plugin_auth: true,
    },
    keylessApi("logging", "/logging/", up.url, cm({ post: [{ name: "AddFooBarHeader", path: plugins.logger }] })),
    keylessApi("hits", "/hits/", up.url, cm({ post: [{ name: "MyProcessRequest", path: plugins.hitcounter }] })),
    keylessApi("resp", "/resp/", up.url, cm({ response: [{ name: "MyPluginResponse", path: plugins.respbody }] })),
    keylessApi("apidef", "/apidef/", up.url, { ...cm({ pre: [{ name: "ShowDefinition", path: plugins.apidef }] }), config_data: { foo: "bar" } }),
    keylessApi("virtual", "/virtual/", up.url, goVirtualEndpoints([
      { plugin_path: plugins.tykcompat, path: "/foo", method: "GET", func_name: "PerPathFoo" },
      { plugin_path: plugins.tykcompat, path: "/resp", method: "GET", func_name: "PerPathResp" },
      { plugin_path: plugins.tykcompat, path: "/off", method: "GET", func_name: "PerPathResp", disabled: true },
    ])),
  ]);
});

after(async () => {
  assert.equal(await gw.stop(), 0, "gateway exits 0 on SIGTERM");
  await up.close();
});

test("seed: a post plugin adds Foo: Bar before the upstream", async () => {
  const res = await fetch(`${gw.url}/addheader/get`);
  assert.equal(res.status, 200);
  const echo: Echo = await res.json();
  assert.equal(echo.headers.foo, "Bar");
  assert.equal(echo.url, "/get");
});

test("seed: SendCurrentTime answers itself with get_time=1 and passes through otherwise", async () => {
  const before = up.hits;
  const res = await fetch(`${gw.url}/sendtime/get?get_time=1`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  const body = await res.json();
  assert.ok(!Number.isNaN(Date.parse(body.current_time)));
  assert.equal(up.hits, before, "upstream not reached");
  const pass = await fetch(`${gw.url}/sendtime/get`);
  assert.equal((await pass.json() as Echo).url, "/get");
  assert.equal(up.hits, before + 1);
});

test("seed: custom auth answers 403 with an empty body for a wrong key, and passes the right one with its session", async () => {
  const bad = await fetch(`${gw.url}/auth/get`, { headers: { authorization: "xyz" } });
  assert.equal(bad.status, 403);
  assert.equal(await bad.text(), "");
  const good = await fetch(`${gw.url}/auth/get`, { headers: { authorization: "abc" } });
  assert.equal(good.status, 200);
  // As in the guide's curl output: the session has no quota, so Tyk's headers read 0.
  assert.deepEqual(["limit", "remaining", "reset"].map((h) => good.headers.get(`x-ratelimit-${h}`)), ["0", "0", "0"]);
  const echo: Echo = await good.json();
  assert.equal(echo.headers["x-session-alias"], "abc-session");
  assert.equal(echo.headers["x-developer-id"], "dev-1");
  assert.equal(echo.headers["x-developer-email"], "dev@example.com");
});

test("seed: plugin logs reach the gateway's JSON log with API id, plugin and symbol", async () => {
  await fetch(`${gw.url}/logging/get`).then((r) => r.text());
  const rec = await gw.waitForLog((l) => l.msg === "Processing HTTP request in Golang plugin!!");
  assert.equal(rec.level, 30);
  assert.equal(rec.api_id, "logging");
  assert.equal(rec.symbol, "AddFooBarHeader");
  assert.equal(rec.plugin, plugins.logger);
});

test("seed: the hit counter keeps state across 50 concurrent requests", async () => {
  const counts = await Promise.all(Array.from({ length: 50 }, () => fetch(`${gw.url}/hits/count`).then((r) => r.json())));
  const seen = counts.map((c) => c.hit_counter).sort((a, b) => a - b);
  assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => i + 1));
  assert.equal(counts[0].endpoint, "GET /hits/count");
});

test("seed: a response plugin rewrites the body, with Content-Length right", async () => {
  const res = await fetch(`${gw.url}/resp/get`);
  const text = await res.text();
  assert.equal(text, `{"message":"Hi! I'm a response plugin"}`);
  assert.equal(res.headers.get("x-response-added"), "resp-added");
  assert.equal(res.headers.get("content-length"), String(text.length));
});

test("seed: the plugin reads the API definition (config_data), and the OAS definition is nil", async () => {
  const seen = await (await fetch(`${gw.url}/apidef/x`)).json();
  assert.equal(seen.classic.name, "API apidef");
  assert.equal(seen.classic.api_id, "apidef");
  assert.deepEqual(seen.classic.config_data, { foo: "bar" });
  assert.equal(seen.oas, null);
});

test("seed: Go virtual endpoints run by path and method; others go upstream", async () => {
  const foo = await fetch(`${gw.url}/virtual/foo`);
  assert.equal(foo.headers.get("x-foo"), "foo");
  assert.equal(foo.headers.get("x-upstream"), "yes", "PerPathFoo passes the request on");
  await foo.text();
  const resp = await fetch(`${gw.url}/virtual/resp`);
  assert.equal(await resp.text(), `{"current_time":"now"}`);
  assert.equal(resp.headers.get("x-upstream"), null);
  const post = await fetch(`${gw.url}/virtual/resp`, { method: "POST" });
  assert.equal(post.headers.get("x-upstream"), "yes", "method must match");
  await post.text();
  const off = await fetch(`${gw.url}/virtual/off`);
  assert.equal(off.headers.get("x-upstream"), "yes", "a disabled entry is skipped");
  await off.text();
});

test("seed: /hello answers without the secret, /tyk/ needs it", async () => {
  assert.equal((await fetch(`${gw.url}/hello`)).status, 200);
  const denied = await fetch(`${gw.url}/tyk/apis`);
  assert.equal(denied.status, 403);
  await denied.text();
  const ok = await fetch(`${gw.url}/tyk/apis`, { headers: { "x-tyk-authorization": SECRET } });
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).length, 8);
});
