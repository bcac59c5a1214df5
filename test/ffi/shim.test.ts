// Real Go plugins, built with our plugin builder, called through the real
// shim over this runtime's FFI.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Kind } from "../../ffi/abi.ts";
import { CLASSIC_API, request, testShim } from "../helpers/shim.ts";

const { shim, plugins } = await testShim();
const api = shim.registerApi("classic", CLASSIC_API);
const text = (b?: Uint8Array) => new TextDecoder().decode(b);

function load(plugin: string, symbol: string, kind: 1 | 2 = Kind.REQUEST): number {
  const res = shim.loadPlugin(plugins[plugin], symbol, kind);
  if (!res.ok) throw new Error(res.error);
  return res.handle;
}

test("loading: a missing file is named", () => {
  const res = shim.loadPlugin("/nonexistent/plugin.so", "X");
  assert.equal(res.ok, false);
  assert.match(!res.ok ? res.error : "", /plugin file \/nonexistent\/plugin\.so does not exist/);
});

test("loading: a missing symbol is named, with what the plugin exports", () => {
  const res = shim.loadPlugin(plugins.addheader, "Nope");
  assert.equal(res.ok, false);
  assert.match(!res.ok ? res.error : "", /symbol Nope not found .*it exports: .*AddFooBarHeader/);
});

test("loading: a wrong signature is explained", () => {
  const res = shim.loadPlugin(plugins.badsig, "NotAHandler");
  assert.equal(res.ok, false);
  assert.match(!res.ok ? res.error : "", /has type func\(string\) string; a request hook must be func\(http\.ResponseWriter, \*http\.Request\)/);
});

test("loading: a request hook loaded as a response hook is refused", () => {
  const res = shim.loadPlugin(plugins.addheader, "AddFooBarHeader", Kind.RESPONSE);
  assert.equal(res.ok, false);
  assert.match(!res.ok ? res.error : "", /a response hook must be func\(http\.ResponseWriter, \*http\.Response, \*http\.Request\)/);
});

test("loading: a file that is not a plugin is refused with a rebuild hint", () => {
  const dir = mkdtempSync(join(tmpdir(), "notplugin-"));
  const fake = join(dir, "fake.so");
  copyFileSync("/bin/true", fake);
  const res = shim.loadPlugin(fake, "X");
  assert.equal(res.ok, false);
  assert.match(!res.ok ? res.error : "", /gateway plugin build/);
});

test("loading: loading the same symbol twice gives the same handle", () => {
  assert.equal(load("addheader", "AddFooBarHeader"), load("addheader", "AddFooBarHeader"));
});

test("loading: plugin check passes a plugin built by our builder", () => {
  const rep = shim.checkPlugin(plugins.addheader);
  assert.deepEqual(rep.problems, []);
  assert.equal(rep.ok, true);
});

test("request hooks: a header added by the plugin comes back as a change", () => {
  const out = shim.callInline(load("addheader", "AddFooBarHeader"), api, request());
  assert.equal(out.status, "ok");
  assert.deepEqual(out.result.headerChanges, [["Foo", ["Bar"]]]);
  assert.equal(out.result.responded, undefined);
  assert.ok(out.result.execNs > 0);
});

test("request hooks: a plugin that writes a response answers the request", () => {
  const h = load("sendtime", "SendCurrentTime");
  const passOn = shim.callInline(h, api, request()).result;
  assert.equal(passOn.responded, undefined);
  const out = shim.callInline(h, api, request({ uri: "/test/get?get_time=1" })).result;
  assert.equal(out.responded?.status, 200);
  assert.ok(!Number.isNaN(Date.parse(JSON.parse(text(out.responded?.body)).current_time)));
  assert.deepEqual(out.rwHeaders, [["Content-Type", "application/json"]]);
});

test("request hooks: 4xx with a body, and headers set without writing", () => {
  const tea = shim.callInline(load("sendtime", "Teapot"), api, request()).result;
  assert.equal(tea.responded?.status, 418);
  assert.equal(text(tea.responded?.body), "hello");
  const only = shim.callInline(load("sendtime", "HeaderOnly"), api, request()).result;
  assert.equal(only.responded, undefined);
  assert.deepEqual(only.rwHeaders, [["X-From-Plugin", "1"]]);
});

test("request hooks: custom auth: 403 for a wrong key, a session for the right one", () => {
  const h = load("authcheck", "MyPluginAuthCheck");
  const bad = shim.callInline(h, api, request({ headers: [["authorization", "xyz"]] })).result;
  assert.equal(bad.responded?.status, 403);
  assert.equal(bad.session, undefined);
  const good = shim.callInline(h, api, request({ headers: [["authorization", "abc"]] })).result;
  assert.equal(good.responded, undefined);
  const session = JSON.parse(good.session!);
  assert.equal(session.alias, "abc-session");
  assert.equal(session.org_id, "default");
  assert.equal(session.meta_data.tyk_developer_id, "dev-1");
  assert.equal(good.sessionUpdate, true);
});

test("request hooks: a session passed in is what the plugin sees, and in-place changes come back", () => {
  const session = JSON.stringify({ alias: "k1", org_id: "o", meta_data: { tyk_developer_id: "d7", tyk_developer_email: "d7@x" }, tags: [] });
  const seen = shim.callInline(load("session", "ShowSession"), api, request({ session, authToken: "key-1" })).result;
  const changes = Object.fromEntries(seen.headerChanges!.map(([k, v]) => [k, v[0]]));
  assert.deepEqual(changes, { "X-Developer-Id": "d7", "X-Developer-Email": "d7@x", "X-Session-Alias": "k1", "X-Auth-Token": "key-1" });
  assert.equal(seen.session, undefined, "an untouched session is not sent back");
  const tagged = shim.callInline(load("session", "TagSession"), api, request({ session, authToken: "key-1" })).result;
  assert.deepEqual(JSON.parse(tagged.session!).tags, ["seen-by-plugin"]);
  const none = shim.callInline(load("session", "ShowSession"), api, request()).result;
  assert.deepEqual(none.headerChanges, [["X-Session", ["none"]]]);
});

test("request hooks: the plugin reads the API definition; the OAS definition is nil on a Classic API", () => {
  const out = shim.callInline(load("apidef", "ShowDefinition"), api, request()).result;
  const seen = JSON.parse(text(out.responded?.body));
  assert.deepEqual(seen.classic, { name: "Test API", api_id: "api-1", org_id: "org-1", listen_path: "/test/", config_data: { greeting: "hi" } });
  assert.equal(seen.oas, null);
});

test("request hooks: on an OAS API, the OAS definition is there and the Classic one is nil", () => {
  const oasApi = shim.registerApi("oas", {
    openapi: "3.0.3",
    info: { title: "Pets", version: "1.0.0" },
    paths: {},
    "x-tyk-api-gateway": { info: { name: "Pets", state: { active: true } }, upstream: { url: "http://x" }, server: { listenPath: { value: "/pets/" } } },
  });
  const seen = JSON.parse(text(shim.callInline(load("apidef", "ShowDefinition"), oasApi, request()).result.responded?.body));
  assert.equal(seen.classic, null);
  assert.deepEqual(seen.oas, { title: "Pets" });
});

test("request hooks: logs written by the plugin come back as structured records", () => {
  const out = shim.callInline(load("logger", "AddFooBarHeader"), api, request()).result;
  assert.deepEqual(out.logs.map((l) => [l.level, l.msg]), [[30, "Processing HTTP request in Golang plugin!!"], [40, "with a field"]]);
  assert.deepEqual(out.logs[1].fields, { path: "/test/get" });
});

test("request hooks: logs from plugin init and from goroutines outside calls are drained", async () => {
  const h = load("initlog", "LogLater");
  const init = shim.drainLogs().filter((l) => l.msg === "initlog plugin loaded");
  assert.equal(init.length, 1);
  assert.equal(init[0].plugin, plugins.initlog);
  assert.deepEqual(init[0].fields, { stage: "init" });
  assert.deepEqual(shim.callInline(h, api, request()).result.logs, []);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(shim.drainLogs().map((l) => [l.level, l.msg]), [[40, "logged after the call"]]);
});

test("request hooks: the plugin's shared state persists across calls", () => {
  const h = load("hitcounter", "MyProcessRequest");
  const hits = [1, 2, 3].map(() => JSON.parse(text(shim.callInline(h, api, request({ uri: "/count" })).result.responded?.body)).hit_counter);
  assert.deepEqual(hits, [1, 2, 3]);
});

test("request hooks: method, URL, host and body changes come back; large answers are fetched whole", () => {
  const big = new Uint8Array(200_000).fill(65);
  const out = shim.callInline(load("addheader", "AddFooBarHeader"), api, request({ body: big }));
  assert.equal(out.status, "ok");
  assert.equal(out.result.body, undefined, "an unread body is not sent back");
  const teapot = shim.callInline(load("sendtime", "Teapot"), api, request({ body: big }));
  assert.equal(text(teapot.result.responded?.body), "hello");
});

test("response hooks: the seed's response plugin rewrites headers and body", () => {
  const h = load("respbody", "MyPluginResponse", Kind.RESPONSE);
  const out = shim.callInline(h, api, request({
    response: { status: 200, headers: [["content-type", "application/json"]], body: new TextEncoder().encode('{"a":1}') },
  })).result;
  assert.equal(text(out.resBody), `{"message":"Hi! I'm a response plugin"}`);
  const headers = Object.fromEntries(out.resHeaders!);
  assert.equal(headers["X-Response-Added"], "resp-added");
  assert.equal(headers["Content-Type"], "application/json");
});

test("response hooks: status, body read and replaced, and the definition seen from a response hook", () => {
  const h = load("respbody", "UpperStatus", Kind.RESPONSE);
  const out = shim.callInline(h, api, request({ response: { status: 200, headers: [], body: new TextEncoder().encode("abc") } })).result;
  assert.equal(out.resStatus, 201);
  assert.equal(text(out.resBody), "ABC");
  assert.deepEqual(out.resHeaders, [["X-Api-Name", "Test API"]]);
});

test("failures: a panic fails only its own call, with message and stack", () => {
  const h = load("panics", "Boom");
  const out = shim.callInline(h, api, request());
  assert.equal(out.status, "panic");
  assert.match(out.result.panic!.message, /assignment to entry in nil map/);
  assert.match(out.result.panic!.stack, /Boom/);
  assert.deepEqual(shim.callInline(load("addheader", "AddFooBarHeader"), api, request()).result.headerChanges, [["Foo", ["Bar"]]]);
});

test("failures: log.Fatal in a plugin fails the call instead of exiting", () => {
  const out = shim.callInline(load("logger", "Fatal"), api, request());
  assert.equal(out.status, "panic");
  assert.match(out.result.panic!.message, /log\.Fatal/);
  assert.equal(out.result.logs[0]?.msg, "giving up");
});

test("failures: an async panic is reported the same way", async () => {
  const out = await shim.callAsync(load("panics", "Boom"), api, request());
  assert.equal(out.status, "panic");
});

test("failures: an unknown handle is an error, not a crash", () => {
  assert.throws(() => shim.callInline(9999, api, request()), /E_GONE/);
});

test("failures: with the shim loaded, SIGPIPE stays ignored, so a closed socket cannot kill the process", () => {
  const m = /SigIgn:\s*([0-9a-f]+)/.exec(readFileSync("/proc/self/status", "utf8"));
  assert.ok(m, "SigIgn readable");
  assert.equal((BigInt(`0x${m[1]}`) >> 12n) & 1n, 1n, "SIGPIPE (13) ignored");
});
