// The behaviour Tyk's own gateway tests check for Go plugins (every hook in
// one chain, custom auth with its session saved as a key, response hooks,
// per-path plugins), through the real gateway process.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type GatewayProcess, keylessApi, SECRET, startGatewayProcess } from "../helpers/gateway.ts";
import { testShim } from "../helpers/shim.ts";
import { type Echo, startUpstream, type Upstream } from "../helpers/upstream.ts";

const { plugins } = await testShim();
const so = () => plugins.tykcompat;
let up: Upstream;
let gw: GatewayProcess;

const chainApi = (id: string, listenPath: string, authFlag: Record<string, boolean>) => ({
  ...keylessApi(id, listenPath, up.url),
  use_keyless: false,
  ...authFlag,
  config_data: { "my-context-data": "my-plugin-config" },
  custom_middleware: {
    driver: "goplugin",
    pre: [{ name: "Pre", path: so() }],
    auth_check: { name: "AuthCheck", path: so() },
    post_key_auth: [{ name: "PostKeyAuth", path: so() }],
    post: [{ name: "Post", path: so() }],
  },
});

before(async () => {
  up = await startUpstream();
  gw = await startGatewayProcess({}, [
    chainApi("plugin_api", "/goplugin", { use_go_plugin_auth: true }),
    chainApi("plugin_api_custom", "/goplugin-custom-plugin-auth", { custom_plugin_auth_enabled: true }),
    keylessApi("resp_api", "/goplugin-resp", up.url, {
      config_data: { "my-context-data": "my-plugin-config" },
      custom_middleware: { driver: "goplugin", response: [{ name: "Response", path: so() }] },
    }),
    keylessApi("both_api", "/goplugin-both", up.url, {
      custom_middleware: { driver: "goplugin", pre: [{ name: "Pre", path: so() }] },
      version_data: {
        not_versioned: true,
        versions: { v1: { name: "v1", use_extended_paths: true, extended_paths: { go_plugin: [{ path: "/foo", method: "GET", plugin_path: so(), func_name: "PerPathFoo" }, { path: "/bar", method: "GET", plugin_path: so(), func_name: "PerPathBar" }] } } },
      },
    }),
    keylessApi("oas_on_classic", "/oas-title", up.url, { custom_middleware: { driver: "goplugin", pre: [{ name: "OASTitle", path: so() }] } }),
    keylessApi("rewrite", "/rewrite/", up.url, {
      custom_middleware: { driver: "goplugin", pre: [{ name: "Rewrite", path: so() }], post: [{ name: "AddFooBarHeader", path: plugins.addheader, disabled: true }] },
    }),
  ]);
});

after(async () => {
  await gw.stop();
  await up.close();
});

for (const [prefix, id] of [["/goplugin", "plugin_api"], ["/goplugin-custom-plugin-auth", "plugin_api_custom"]]) {
  test(`tyk: ${id}: auth failure answers what the plugin wrote`, async () => {
    const res = await fetch(`${gw.url}${prefix}/plugin_hit`, { headers: { authorization: "invalid_token" } });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("x-auth-result"), "failed");
    assert.equal(res.headers.get("x-initial-uri"), `${prefix}/plugin_hit`);
    assert.equal(await res.text(), "auth failed");
  });

  test(`tyk: ${id}: all hooks run in order and the saved session is a key`, async () => {
    const before = up.hits;
    const res = await fetch(`${gw.url}${prefix}/plugin_hit`, { headers: { authorization: "abc" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-initial-uri"), `${prefix}/plugin_hit`);
    assert.equal(res.headers.get("x-auth-result"), "OK");
    assert.equal(res.headers.get("x-session-alias"), "abc-session");
    assert.equal(res.headers.get("x-plugin-data"), "my-plugin-config");
    assert.match(await res.text(), /"message":"post message"/);
    assert.equal(up.hits, before, "the post plugin answered");
    const key = await fetch(`${gw.url}/tyk/keys/abc`, { headers: { "x-tyk-authorization": SECRET } });
    assert.equal(key.status, 200);
    assert.equal((await key.json()).alias, "abc-session");
    const del = await fetch(`${gw.url}/tyk/keys/abc`, { method: "DELETE", headers: { "x-tyk-authorization": SECRET } });
    assert.equal(del.status, 200);
    assert.match(await del.text(), /"action":"deleted"/);
  });
}

test("tyk: a response hook replaces the body and reads config_data", async () => {
  const res = await fetch(`${gw.url}/goplugin-resp/plugin_hit`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-response-added"), "resp-added");
  assert.equal(res.headers.get("x-plugin-data"), "my-plugin-config");
  assert.equal(await res.text(), `{"message":"response injected message"}`);
});

test("tyk: API-level and per-path plugins on one definition", async () => {
  const res = await fetch(`${gw.url}/goplugin-both/foo`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-initial-uri"), "/goplugin-both/foo");
  assert.equal(res.headers.get("x-foo"), "foo");
  assert.equal(res.headers.get("x-bar"), null);
  await res.text();
  const bar = await fetch(`${gw.url}/goplugin-both/bar`);
  assert.equal(bar.headers.get("x-bar"), "bar");
  await bar.text();
});

test("tyk: a plugin dereferencing the nil OAS definition on a Classic API fails that request with 500 only", async () => {
  const res = await fetch(`${gw.url}/oas-title/x`);
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), { error: "Internal Server Error" });
  await gw.waitForLog((l) => typeof l.msg === "string" && l.msg.startsWith("plugin panicked") && l.symbol === "OASTitle");
  const ok = await fetch(`${gw.url}/goplugin-resp/x`);
  assert.equal(ok.status, 200);
  await ok.text();
});

test("tyk: a plugin rewrites method, path, query, headers and body for the upstream; a disabled hook is skipped", async () => {
  const res = await fetch(`${gw.url}/rewrite/orig?a=b`, { method: "POST", body: "hello", headers: { "x-remove-me": "1" } });
  const echo: Echo = await res.json();
  assert.equal(echo.method, "PUT");
  assert.equal(echo.url, "/rewritten?a=b&added=1");
  assert.equal(echo.body, "plugin saw: hello");
  assert.equal(echo.headers["content-length"], String("plugin saw: hello".length));
  assert.equal(echo.headers["x-remove-me"], undefined);
  assert.equal(echo.headers.foo, undefined, "disabled post hook did not run");
});
