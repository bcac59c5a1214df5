// Tyk's own Go plugin test file (test/plugins/tyk-goplugins/test_goplugin.go,
// copied unchanged; see NOTICE.md there), built with our builder as any test
// plugin, and each of its request and response hooks run in our gateway
// with the API set-ups and expectations of Tyk's tests of it
// (goplugin/mw_go_plugin_test.go in Tyk). Its analytics plugins are checked
// against our tyk-pump package by Go tests beside it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { REPO_ROOT, goEnv } from "../../src/shim/build.ts";
import { type GatewayProcess, goVirtualEndpoints, keylessApi, SECRET, startGatewayProcess } from "../helpers/gateway.ts";
import { PLUGIN_SOURCES } from "../helpers/plugins.ts";
import { testShim } from "../helpers/shim.ts";
import { type Echo, startUpstream, type Upstream } from "../helpers/upstream.ts";

const { plugins } = await testShim();
const so = () => plugins["tyk-goplugins"];
const configData = { config_data: { "my-context-data": "my-plugin-config" } };
let up: Upstream;
let gw: GatewayProcess;

const hook = (name: string, disabled = false) => ({ name, path: so(), ...(disabled ? { disabled } : {}) });
const authChain = (id: string, listenPath: string, flags: Record<string, boolean>, disabled = false) => ({
  ...keylessApi(id, listenPath, up.url, configData),
  use_keyless: false,
  ...flags,
  custom_middleware: {
    driver: "goplugin",
    pre: [hook("MyPluginPre", disabled)],
    auth_check: hook("MyPluginAuthCheck", disabled),
    post_key_auth: [hook("MyPluginPostKeyAuth", disabled)],
    post: [hook("MyPluginPost", disabled)],
  },
});
const perPath = (path: string, func: string, disabled = false) => ({ path, method: "GET", plugin_path: so(), func_name: func, ...(disabled ? { disabled } : {}) });
const oasApi = (id: string, listenPath: string, pre: string[], response: string[]) => ({
  openapi: "3.0.3",
  info: { title: `My OAS Documentation ${id}`, version: "1" },
  paths: {},
  "x-tyk-api-gateway": {
    info: { id, name: id, state: { active: true } },
    upstream: { url: up.url },
    server: { listenPath: { value: listenPath, strip: true } },
    middleware: {
      global: {
        prePlugins: pre.map((functionName) => ({ enabled: true, functionName, path: so() })),
        responsePlugins: response.map((functionName) => ({ enabled: true, functionName, path: so() })),
      },
    },
  },
});

before(async () => {
  up = await startUpstream();
  const oas = {
    "oas-pre.json": oasApi("oas-pre", "/oas-goplugin/", ["MyPluginAccessingOASAPI"], []),
    "oas-resp.json": oasApi("oas-resp", "/oas-goplugin-response/", [], ["MyResponsePluginAccessingOASAPI"]),
    "oas-both.json": oasApi("oas-both", "/oas-goplugin-both/", ["MyPluginAccessingOASAPI"], ["MyResponsePluginAccessingOASAPI"]),
    "oas-chain.json": oasApi("oas-chain", "/oas-goplugin-chain/", [], ["MyResponsePluginAccessingOASAPI", "MyResponsePluginAccessingOASAPI2"]),
  };
  // Tyk's TestGoPlugin_ApplyPolicy: policy my-pol with rate 114.
  const policyPath = mkdtempSync(join(tmpdir(), "tykgw-policies-"));
  writeFileSync(join(policyPath, "my-pol.json"), JSON.stringify({ id: "my-pol", rate: 114 }));
  gw = await startGatewayProcess({ policies: { policy_path: policyPath } }, [
    authChain("plugin_api", "/goplugin/", { use_go_plugin_auth: true }),
    authChain("plugin_api_with_use_custom_plugin_auth", "/goplugin-custom-plugin-auth/", { custom_plugin_auth_enabled: true }),
    { ...authChain("disabled_plugins", "/disabled-goplugins/", {}, true), use_keyless: true },
    authChain("disabled_auth_plugin", "/disabled-auth-goplugins/", { custom_plugin_auth_enabled: true }, true),
    keylessApi("response_api", "/goplugin-response/", up.url, { ...configData, custom_middleware: { driver: "goplugin", response: [hook("MyPluginResponse")] } }),
    keylessApi("per_path", "/goplugin-per-path/", up.url, goVirtualEndpoints([
      perPath("/foo", "MyPluginPerPathFoo"),
      perPath("/bar", "MyPluginPerPathBar"),
      perPath("/resp", "MyPluginPerPathResp"),
      perPath("/disabled", "MyPluginPerPathResp", true),
    ])),
    keylessApi("api_and_per_path", "/goplugin-api-and-path/", up.url, {
      custom_middleware: { driver: "goplugin", pre: [hook("MyPluginPre")] },
      ...goVirtualEndpoints([perPath("/foo", "MyPluginPerPathFoo")]),
    }),
    keylessApi("teapot", "/my-goplugin/", up.url, { custom_middleware: { driver: "goplugin", pre: [hook("MyPluginReturningError")] } }),
    keylessApi("reject_with_body", "/test-api/", up.url, { custom_middleware: { driver: "goplugin", pre: [hook("RejectWithBody")] } }),
    keylessApi("reject_without_body", "/test-api-without/", up.url, { custom_middleware: { driver: "goplugin", pre: [hook("RejectWithoutBody")] } }),
    keylessApi("endpoint_reject_with_body", "/endpoint-api/", up.url, goVirtualEndpoints([perPath("/get", "RejectWithBody")])),
    keylessApi("endpoint_reject_without_body", "/endpoint-api-without/", up.url, goVirtualEndpoints([perPath("/get", "RejectWithoutBody")])),
    keylessApi("apply_policy", "/policy-goplugin/", up.url, { custom_middleware: { driver: "goplugin", pre: [hook("MyPluginApplyingPolicy")] } }),
  ], Object.fromEntries(Object.entries(oas).map(([f, d]) => [f, JSON.stringify(d)])));
});

after(async () => {
  await gw?.stop();
  await up?.close();
});

test("tyk goplugins: Tyk's analytics plugins change records as Tyk's examples expect, on our tyk-pump package (go test)", () => {
  for (const dir of [join(PLUGIN_SOURCES, "tyk-goplugins"), join(REPO_ROOT, "shim-go", "tyk-pump")]) {
    const res = spawnSync("go", ["test", "./..."], { cwd: dir, env: goEnv(), encoding: "utf8" });
    assert.equal(res.status, 0, `${dir}: ${res.stdout}${res.stderr}`);
  }
});

for (const prefix of ["/goplugin", "/goplugin-custom-plugin-auth"]) {
  test(`tyk goplugins: ${prefix}: custom auth refuses a wrong token with what MyPluginAuthCheck wrote`, async () => {
    const res = await fetch(`${gw.url}${prefix}/plugin_hit`, { headers: { authorization: "invalid_token" } });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("x-auth-result"), "failed");
    assert.equal(await res.text(), "auth failed");
  });

  test(`tyk goplugins: ${prefix}: pre, auth_check, post_key_auth and post all run, and the session is a key`, async () => {
    const before = up.hits;
    const res = await fetch(`${gw.url}${prefix}/plugin_hit`, { headers: { authorization: "abc" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-initial-uri"), `${prefix}/plugin_hit`);
    assert.equal(res.headers.get("x-auth-result"), "OK");
    assert.equal(res.headers.get("x-session-alias"), "abc-session");
    assert.equal(res.headers.get("x-plugin-data"), "my-plugin-config");
    assert.match(await res.text(), /"message":"post message"/);
    assert.equal(up.hits, before, "MyPluginPost answered");
    const del = await fetch(`${gw.url}/tyk/keys/abc`, { method: "DELETE", headers: { "x-tyk-authorization": SECRET } });
    assert.equal(del.status, 200);
    assert.match(await del.text(), /"action":"deleted"/);
  });
}

test("tyk goplugins: disabled hooks do not run; the request goes upstream as it came", async () => {
  const res = await fetch(`${gw.url}/disabled-goplugins/plugin_hit`, { headers: { authorization: "abc" } });
  assert.equal(res.status, 200);
  for (const h of ["x-initial-uri", "x-auth-result", "x-session-alias", "x-plugin-data"]) assert.equal(res.headers.get(h), null, h);
  const echo: Echo = await res.json();
  assert.equal(echo.headers.authorization, "abc");
});

test("tyk goplugins: custom plugin auth whose auth_check is disabled refuses access", async () => {
  const res = await fetch(`${gw.url}/disabled-auth-goplugins/plugin_hit`, { headers: { authorization: "abc" } });
  assert.equal(res.status, 403);
  assert.match(await res.text(), /Access to this API has been disallowed/);
});

test("tyk goplugins: MyPluginResponse adds a header, reads config_data and replaces the body", async () => {
  const res = await fetch(`${gw.url}/goplugin-response/plugin_hit`, { headers: { authorization: "abc" } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-response-added"), "resp-added");
  assert.equal(res.headers.get("x-plugin-data"), "my-plugin-config");
  assert.equal(await res.text(), `{"message":"response injected message"}`);
});

test("tyk goplugins: per-path plugins run on their path only; MyPluginPerPathResp answers; a disabled one does not", async () => {
  const foo = await fetch(`${gw.url}/goplugin-per-path/foo`);
  assert.equal(foo.headers.get("x-foo"), "foo");
  assert.equal(foo.headers.get("x-bar"), null);
  await foo.text();
  const bar = await fetch(`${gw.url}/goplugin-per-path/bar`);
  assert.equal(bar.headers.get("x-bar"), "bar");
  await bar.text();
  const resp = await fetch(`${gw.url}/goplugin-per-path/resp`);
  assert.equal(resp.status, 200);
  assert.equal(resp.headers.get("content-type"), "application/json");
  assert.equal(await resp.text(), `{"current_time":"now"}`);
  const disabled = await fetch(`${gw.url}/goplugin-per-path/disabled`);
  assert.equal(disabled.status, 200);
  const echo: Echo = await disabled.json();
  assert.equal(echo.url, "/disabled", "the upstream answered, not the disabled plugin");
});

test("tyk goplugins: an API-level pre plugin and a per-path plugin on one definition both run", async () => {
  const res = await fetch(`${gw.url}/goplugin-api-and-path/foo`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-initial-uri"), "/goplugin-api-and-path/foo");
  assert.equal(res.headers.get("x-foo"), "foo");
  await res.text();
});

test("tyk goplugins: request and response plugins read the OAS definition, alone, together and chained", async () => {
  const title = (id: string) => `My OAS Documentation ${id}`;
  const pre = await fetch(`${gw.url}/oas-goplugin/get`);
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get("x-oas-doc-title"), title("oas-pre"));
  await pre.text();
  const resp = await fetch(`${gw.url}/oas-goplugin-response/plugin_hit`);
  assert.equal(resp.status, 200);
  assert.equal(resp.headers.get("x-oas-doc-title"), title("oas-resp"));
  await resp.text();
  const both = await fetch(`${gw.url}/oas-goplugin-both/plugin_hit`);
  assert.equal(both.status, 200);
  assert.equal(both.headers.get("x-my-plugin-accessing-oas-api"), title("oas-both"));
  assert.equal(both.headers.get("x-my-response-plugin-accessing-oas-api"), title("oas-both"));
  await both.text();
  const chain = await fetch(`${gw.url}/oas-goplugin-chain/plugin_hit`);
  assert.equal(chain.status, 200);
  assert.equal(chain.headers.get("x-my-response-plugin-accessing-oas-api"), title("oas-chain"));
  assert.equal(chain.headers.get("x-my-response-plugin-accessing-oas-api-2"), title("oas-chain"));
  await chain.text();
});

test("tyk goplugins: MyPluginReturningError's 418 and body reach the client once", async () => {
  const res = await fetch(`${gw.url}/my-goplugin/get`);
  assert.equal(res.status, 418);
  assert.equal(await res.text(), "I'm a teapot");
});

for (const [level, withBody, withoutBody] of [["API", "/test-api/get", "/test-api-without/get"], ["endpoint", "/endpoint-api/get", "/endpoint-api-without/get"]]) {
  test(`tyk goplugins: ${level}-level plugins answering 403 send their body, or none`, async () => {
    const res = await fetch(`${gw.url}${withBody}`);
    assert.equal(res.status, 403);
    assert.equal(await res.text(), "hello");
    const bare = await fetch(`${gw.url}${withoutBody}`);
    assert.equal(bare.status, 403);
    assert.equal(await bare.text(), "");
  });
}

test("tyk goplugins: MyPluginApplyingPolicy's session gets policy my-pol applied", async () => {
  const res = await fetch(`${gw.url}/policy-goplugin/get`);
  assert.equal(res.status, 200);
  await res.text();
  const key = await fetch(`${gw.url}/tyk/keys/my-key`, { headers: { "x-tyk-authorization": SECRET } });
  assert.equal(key.status, 200);
  assert.equal((await key.json()).rate, 114);
});
