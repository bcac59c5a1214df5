// Real Go plugins, built with our plugin builder, run through the real shim
// over this runtime's FFI: one live Go request per HTTP request, opened by its
// first run, shared by every later run, ended by releaseRequest.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Kind, SHIM_ABI_VERSION, Status, statusName } from "../../ffi/abi.ts";
import { CallAbandonedError, type Run, ShimCallError } from "../../ffi/shim.ts";
import type { HeaderPairs, RunRequest, RunResult } from "../../ffi/wire.ts";
import { CLASSIC_API, openSection, runOnce, testShim } from "../helpers/shim.ts";

const { shim, plugins } = await testShim();
const api = shim.registerApi("classic", CLASSIC_API);
const text = (b?: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function load(plugin: string, symbol: string, kind: 1 | 2 = Kind.REQUEST): number {
  const res = shim.loadPlugin(plugins[plugin], symbol, kind);
  if (!res.ok) throw new Error(res.error);
  return res.handle;
}

const hooks = (...handles: number[]) => handles.map((plugin) => ({ plugin }));

/** Header pairs (whose order is Go's map order) as name -> value. */
function headerMap(pairs: HeaderPairs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of pairs ?? []) {
    assert.ok(!(k in out), `header ${k} once`);
    out[k] = v;
  }
  return out;
}

/** Header changes sorted by name (Go reports them in map order). */
const changes = (r: RunResult) => [...(r.headerChanges ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Opens a request with a first run of `handles`: the run (not awaited). */
function open(handles: number[], extra: Omit<RunRequest, "hooks" | "open"> & { open?: Parameters<typeof openSection>[0] } = {}): Run {
  const { open: o, ...rest } = extra;
  const run = shim.run(api, 0, { open: openSection(o), ...rest, hooks: hooks(...handles) });
  assert.ok(run.request > 0, "a request handle");
  return run;
}

/** A later run on an open request: its result. */
function next(request: number, handles: number[], extra: Omit<RunRequest, "hooks" | "open"> = {}): Promise<RunResult> {
  const run = shim.run(api, request, { ...extra, hooks: hooks(...handles) });
  assert.equal(run.request, request);
  return run.result;
}

/** Runs fn, which must throw ShimCallError with `status`, and returns the error. */
function refused(fn: () => unknown, status: number, message?: RegExp): ShimCallError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ShimCallError, `a ShimCallError, not ${err}`);
    assert.equal(statusName(err.status), statusName(status));
    if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected a ShimCallError with status ${statusName(status)}`);
}

/** Awaits a run the shim accepted and then refused while applying its frame (on the worker): the ShimCallError. */
async function rejected(run: Run, status: number, message?: RegExp): Promise<ShimCallError> {
  try {
    await run.result;
  } catch (err) {
    assert.ok(err instanceof ShimCallError, `a ShimCallError, not ${err}`);
    assert.equal(statusName(err.status), statusName(status));
    if (message) assert.match(err.message, message);
    assert.equal(err.request, run.request, "the handle to release comes with the error");
    return err;
  }
  assert.fail(`expected a ShimCallError with status ${statusName(status)}`);
}

/** Waits until the shim has `n` request handles alive (a released one lives until its run ends). */
async function openRequestsBecome(n: number, withinMs = 3000): Promise<void> {
  const until = performance.now() + withinMs;
  while (shim.openRequests() !== n && performance.now() < until) await sleep(10);
  assert.equal(shim.openRequests(), n);
}

const baseline = shim.openRequests();

test("info: the shim reports its ABI version and the Go toolchain plugins must match", () => {
  assert.equal(shim.abiVersion(), SHIM_ABI_VERSION);
  const info = shim.info();
  assert.equal(info.abi, SHIM_ABI_VERSION);
  assert.match(info.go, /^go\d+\.\d+/);
  assert.ok(info.deps.some((d) => d.path === "github.com/TykTechnologies/tyk"), "built against Tyk");
});

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

test("request hooks: a header added by the plugin comes back as a change", async () => {
  const out = await runOnce(shim, api, [load("addheader", "AddFooBarHeader")]);
  assert.deepEqual(out.headerChanges, [["Foo", ["Bar"]]]);
  assert.equal(out.responded, undefined);
  assert.equal(out.panicked, false);
  assert.equal(out.hooks.length, 1);
  assert.ok(out.hooks[0].execNs > 0);
  assert.equal(out.hooks[0].panic, undefined);
  assert.equal(out.method, undefined, "what no hook changed is not sent back");
  assert.equal(out.uri, undefined);
  assert.equal(out.body, undefined);
});

test("request hooks: a plugin that writes a response answers the request", async () => {
  const h = load("sendtime", "SendCurrentTime");
  const passOn = await runOnce(shim, api, [h]);
  assert.equal(passOn.responded, undefined);
  const out = await runOnce(shim, api, [h], { open: openSection({ uri: "/test/get?get_time=1" }) });
  assert.equal(out.responded?.status, 200);
  assert.ok(!Number.isNaN(Date.parse(JSON.parse(text(out.responded?.body)).current_time)));
  assert.deepEqual(out.responded?.headers, [["Content-Type", "application/json"]]);
  assert.equal(out.rwHeaders, undefined, "an answer carries its headers itself");
});

test("request hooks: 4xx with a body (Content-Type sniffed), and headers set without writing", async () => {
  const tea = await runOnce(shim, api, [load("sendtime", "Teapot")]);
  assert.equal(tea.responded?.status, 418);
  assert.equal(text(tea.responded?.body), "hello");
  assert.deepEqual(headerMap(tea.responded?.headers), { "X-Teapot": "yes", "Content-Type": "text/plain; charset=utf-8" });
  const only = await runOnce(shim, api, [load("sendtime", "HeaderOnly")]);
  assert.equal(only.responded, undefined);
  assert.deepEqual(only.rwHeaders, [["X-From-Plugin", "1"]]);
});

test("request hooks: a run stops at the hook that answers; the hooks after it do not run", async () => {
  const out = await runOnce(shim, api, [load("sendtime", "Teapot"), load("addheader", "AddFooBarHeader")]);
  assert.equal(out.responded?.status, 418);
  assert.equal(out.hooks.length, 1);
  assert.equal(out.headerChanges, undefined);
});

test("request hooks: custom auth: 403 for a wrong key, a session for the right one", async () => {
  const h = load("authcheck", "MyPluginAuthCheck");
  const bad = await runOnce(shim, api, [h], { open: openSection({ headers: [["authorization", "xyz"]] }) });
  assert.equal(bad.responded?.status, 403);
  assert.equal(bad.session, undefined);
  const good = await runOnce(shim, api, [h], { open: openSection({ headers: [["authorization", "abc"]] }) });
  assert.equal(good.responded, undefined);
  const session = JSON.parse(good.session!);
  assert.equal(session.alias, "abc-session");
  assert.equal(session.org_id, "default");
  assert.equal(session.meta_data.tyk_developer_id, "dev-1");
  assert.equal(good.sessionUpdate, true);
});

test("request hooks: a policies gate passes a session that names no policy and stops at one that does", async () => {
  const gate = { plugin: 0, policiesGate: true };
  const add = { plugin: load("addheader", "AddFooBarHeader") };
  const token = (session: Record<string, unknown>) => Buffer.from(JSON.stringify(session)).toString("base64url");
  const auth = (session: Record<string, unknown>) =>
    shim.run(api, 0, { open: openSection({ headers: [["authorization", token(session)]] }), hooks: [{ plugin: load("tokenauth", "SessionFromToken") }, gate, add] });
  const none = auth({ org_id: "o" });
  try {
    const out = await none.result;
    assert.equal(out.gated, false);
    assert.equal(out.hooks.length, 2, "the hook after the gate ran");
    assert.deepEqual(out.headerChanges, [["Foo", ["Bar"]]]);
    assert.equal(JSON.parse(out.session!).org_id, "o", "the session the hook set comes back");
  } finally {
    shim.releaseRequest(none.request);
  }
  const named = auth({ org_id: "o", apply_policies: ["p"] });
  try {
    const out = await named.result;
    assert.equal(out.gated, true);
    assert.equal(out.hooks.length, 1, "stopped at the gate");
    assert.equal(out.headerChanges, undefined);
  } finally {
    shim.releaseRequest(named.request);
  }
  // A session the gateway sent, not decoded by any hook: the gateway has it and decides.
  const loaded = shim.run(api, 0, { open: openSection(), session: JSON.stringify({ org_id: "o" }), hooks: [gate, add] });
  try {
    assert.equal((await loaded.result).gated, true);
  } finally {
    shim.releaseRequest(loaded.request);
  }
});

test("request hooks: a session passed in is what the plugin sees, and in-place changes come back", async () => {
  const session = JSON.stringify({ alias: "k1", org_id: "o", meta_data: { tyk_developer_id: "d7", tyk_developer_email: "d7@x" }, tags: [] });
  const run = shim.run(api, 0, { open: openSection(), session, authToken: "key-1", hooks: [{ plugin: load("session", "ShowSession") }] });
  try {
    const seen = await run.result;
    const got = Object.fromEntries(seen.headerChanges!.map(([k, v]) => [k, v[0]]));
    assert.deepEqual(got, { "X-Developer-Id": "d7", "X-Developer-Email": "d7@x", "X-Session-Alias": "k1", "X-Auth-Token": "key-1" });
    assert.equal(seen.session, undefined, "a session hooks only had is not encoded unless asked for");
    assert.equal(seen.sessionTouched, true);
    assert.equal(seen.authToken, undefined, "the token the gateway set is not sent back");
    assert.equal(JSON.parse(shim.requestSession(run.request)!).alias, "k1");
  } finally {
    shim.releaseRequest(run.request);
  }
  shim.openRequests(); // releases reach the shim together (with the next start of runs); counting sends them now
  assert.throws(() => shim.requestSession(run.request), (e: unknown) => e instanceof ShimCallError && e.status === Status.E_GONE);
  const tagged = await runOnce(shim, api, [load("session", "TagSession")], { session, authToken: "key-1" });
  assert.deepEqual(JSON.parse(tagged.session!).tags, ["seen-by-plugin"], "a session a hook set comes back");
  assert.equal(tagged.sessionUpdate, true);
  const none = await runOnce(shim, api, [load("session", "ShowSession")]);
  assert.deepEqual(none.headerChanges, [["X-Session", ["none"]]]);
});

test("request hooks: the plugin reads the API definition; the OAS definition is nil on a Classic API", async () => {
  const out = await runOnce(shim, api, [load("apidef", "ShowDefinition")]);
  const seen = JSON.parse(text(out.responded?.body));
  assert.deepEqual(seen.classic, { name: "Test API", api_id: "api-1", org_id: "org-1", listen_path: "/test/", config_data: { greeting: "hi" } });
  assert.equal(seen.oas, null);
});

test("request hooks: on an OAS API, the OAS definition is there and the Classic one is nil", async () => {
  const oasApi = shim.registerApi("oas", {
    openapi: "3.0.3",
    info: { title: "Pets", version: "1.0.0" },
    paths: {},
    "x-tyk-api-gateway": { info: { name: "Pets", state: { active: true } }, upstream: { url: "http://x" }, server: { listenPath: { value: "/pets/" } } },
  });
  try {
    const seen = JSON.parse(text((await runOnce(shim, oasApi, [load("apidef", "ShowDefinition")])).responded?.body));
    assert.equal(seen.classic, null);
    assert.deepEqual(seen.oas, { title: "Pets" });
  } finally {
    shim.releaseApi(oasApi);
  }
  refused(() => shim.run(oasApi, 0, { open: openSection(), hooks: [] }), Status.E_GONE, /API handle/);
});

test("request hooks: logs written by the plugin come back as structured records, per hook", async () => {
  const out = await runOnce(shim, api, [load("addheader", "Noop"), load("logger", "AddFooBarHeader")]);
  assert.deepEqual(out.hooks[0].logs, []);
  const logs = out.hooks[1].logs;
  assert.deepEqual(logs.map((l) => [l.level, l.msg]), [[30, "Processing HTTP request in Golang plugin!!"], [40, "with a field"]]);
  assert.deepEqual(logs[1].fields, { path: "/test/get" });
  assert.equal(logs[0].plugin, plugins.logger);
  assert.ok(Math.abs(logs[0].timeMs - Date.now()) < 60_000, "a wall-clock time");
});

test("request hooks: logs from plugin init and from goroutines outside runs are drained", async () => {
  const h = load("initlog", "LogLater");
  const init = shim.drainLogs().filter((l) => l.msg === "initlog plugin loaded");
  assert.equal(init.length, 1);
  assert.equal(init[0].plugin, plugins.initlog);
  assert.deepEqual(init[0].fields, { stage: "init" });
  assert.deepEqual((await runOnce(shim, api, [h])).hooks[0].logs, []);
  await sleep(50);
  assert.deepEqual(shim.drainLogs().map((l) => [l.level, l.msg]), [[40, "logged after the call"]]);
});

test("request hooks: the plugin's shared state persists across requests", async () => {
  const h = load("hitcounter", "MyProcessRequest");
  const hits: number[] = [];
  for (let i = 0; i < 3; i++) {
    const out = await runOnce(shim, api, [h], { open: openSection({ uri: "/count" }) });
    hits.push(JSON.parse(text(out.responded?.body)).hit_counter);
  }
  assert.deepEqual(hits, [1, 2, 3]);
});

test("request hooks: method, URL, body and deleted headers come back; large answers are fetched whole", async () => {
  const big = new Uint8Array(200_000).fill(65);
  const unread = await runOnce(shim, api, [load("addheader", "AddFooBarHeader")], { open: openSection({ method: "POST", body: big }) });
  assert.equal(unread.body, undefined, "an unread body is not sent back");
  const teapot = await runOnce(shim, api, [load("sendtime", "Teapot")], { open: openSection({ method: "POST", body: big }) });
  assert.equal(text(teapot.responded?.body), "hello");
  // Rewrite echoes the body back: the answer is larger than the shim's 64 KiB result buffer.
  const rewrite = load("tykcompat", "Rewrite");
  const out = await runOnce(shim, api, [rewrite], { open: openSection({ method: "POST", body: big, headers: [["x-remove-me", "1"], ["accept", "*/*"]] }) });
  assert.equal(out.method, "PUT");
  assert.equal(out.uri, "/rewritten?added=1&x=1");
  assert.deepEqual(out.headerChanges, [["X-Remove-Me", []]]);
  assert.equal(out.body?.length, 12 + big.length);
  assert.equal(text(out.body?.subarray(0, 16)), "plugin saw: AAAA");
  assert.ok(out.body!.subarray(12).every((b) => b === 65), "the whole body");
  // The same after a plugin that sleeps first (the result waits, parked, until taken), and larger still.
  const bigger = new Uint8Array(600_000).fill(66);
  const run = open([load("slow", "SleepIfAsked"), rewrite], { open: { method: "POST", body: bigger, headers: [["x-sleep-ms", "30"]] } });
  try {
    assert.ok(run.result instanceof Promise, "handed off");
    const late = await run.result;
    assert.equal(late.body?.length, 12 + bigger.length);
    assert.ok(late.body!.subarray(12).every((b) => b === 66), "the whole body");
  } finally {
    shim.releaseRequest(run.request);
  }
});

test("response hooks: the seed's response plugin rewrites headers and body", async () => {
  const h = load("respbody", "MyPluginResponse", Kind.RESPONSE);
  const out = await runOnce(shim, api, [h], {
    response: { status: 200, headers: [["content-type", "application/json"]], body: bytes('{"a":1}') },
  });
  assert.equal(text(out.resBody), `{"message":"Hi! I'm a response plugin"}`);
  assert.deepEqual(headerMap(out.resHeaders), { "X-Response-Added": "resp-added", "Content-Type": "application/json" });
  assert.equal(out.resStatus, undefined, "an unchanged status is not sent back");
});

test("response hooks: status, body read and replaced, and the definition seen from a response hook", async () => {
  const h = load("respbody", "UpperStatus", Kind.RESPONSE);
  const out = await runOnce(shim, api, [h], { response: { status: 200, headers: [], body: bytes("abc") } });
  assert.equal(out.resStatus, 201);
  assert.equal(text(out.resBody), "ABC");
  assert.deepEqual(out.resHeaders, [["X-Api-Name", "Test API"]]);
});

test("response hooks: without the upstream's response, a response hook fails its run, not the process", async () => {
  const out = await runOnce(shim, api, [load("respbody", "UpperStatus", Kind.RESPONSE)]);
  assert.equal(out.panicked, true);
  assert.match(out.hooks[0].panic!.message, /without the upstream's response/);
});

// One Go request per HTTP request: every run on a handle works on the same *http.Request.

test("request life: a later run sees what an earlier run's hooks did: context, headers, URL, the ResponseWriter", async () => {
  const run = open([load("lifecycle", "CtxSet"), load("addheader", "AddFooBarHeader"), load("lifecycle", "URLAddQuery"), load("sendtime", "HeaderOnly")]);
  try {
    const first = await run.result;
    assert.deepEqual(first.headerChanges, [["Foo", ["Bar"]]]);
    assert.equal(first.uri, "/test/get?added=1&x=1");
    const second = await next(run.request, [
      load("lifecycle", "CtxPost"),
      load("addheader", "AddFooBarHeader"),
      load("lifecycle", "URLReadQuery"),
    ]);
    assert.deepEqual(changes(second), [["Foo", ["Bar", "Bar"]], ["X-Added", ["1"]], ["X-Ctx-Post", ["set-by-pre"]]], "the same context, header map and URL");
    assert.equal(second.uri, undefined, "a change already reported is not reported again");
    const quiet = await next(run.request, [load("addheader", "Noop")]);
    assert.equal(quiet.headerChanges, undefined);
    const answer = await next(run.request, [load("sendtime", "Teapot")]);
    assert.equal(answer.responded?.status, 418);
    assert.equal(headerMap(answer.responded?.headers)["X-From-Plugin"], "1", "a header an earlier hook set on the writer is in the answer");
  } finally {
    shim.releaseRequest(run.request);
  }
});

test("request life: a response hook in a later run gets the request of the earlier ones, with the upstream's URL", async () => {
  const run = open([load("lifecycle", "CtxSet")]);
  try {
    await run.result;
    const out = await next(run.request, [load("lifecycle", "CtxResponse", Kind.RESPONSE), load("lifecycle", "ResponseShowRequest", Kind.RESPONSE)], {
      upstream: { url: "http://upstream.test:9000/get?x=1", host: "upstream.test:9000" },
      response: { status: 200, headers: [["content-type", "text/plain"]], body: bytes("ok") },
    });
    const res = headerMap(out.resHeaders);
    assert.equal(res["X-Ctx-Response"], "set-by-pre");
    assert.equal(res["X-Req-Path"], "/get");
    assert.equal(res["X-Req-Host"], "upstream.test:9000");
    assert.equal(res["X-Req-Query"], "x=1");
    assert.equal(out.resBody, undefined, "an untouched body is not sent back");
  } finally {
    shim.releaseRequest(run.request);
  }
});

test("request life: what the gateway changes between runs is what the next hooks see, and is not reported back", async () => {
  const busy = load("lifecycle", "Busy");
  const run = open([busy]);
  try {
    assert.deepEqual((await run.result).headerChanges, [["X-Busy", ["passed"]]]);
    const out = await next(run.request, [busy], { headers: [["x-answer", ["1"]], ["x-busy", []]] });
    assert.equal(out.responded?.status, 200);
    assert.equal(text(out.responded?.body), "answered by Busy");
    assert.equal(out.headerChanges, undefined);
  } finally {
    shim.releaseRequest(run.request);
  }
});

test("request life: openRequests counts a request from its first run until its release", async () => {
  const before = shim.openRequests();
  const a = open([load("addheader", "Noop")]);
  const b = open([load("addheader", "Noop")]);
  await a.result;
  await b.result;
  assert.notEqual(a.request, b.request);
  assert.equal(shim.openRequests(), before + 2);
  shim.releaseRequest(a.request);
  assert.equal(shim.openRequests(), before + 1);
  shim.releaseRequest(b.request);
  assert.equal(shim.openRequests(), before);
  shim.releaseRequest(a.request); // released twice: skipped
  shim.releaseRequest(0); // never a handle: skipped
  assert.equal(shim.openRequests(), before);
});

test("request life: a released handle is refused with E_GONE", async () => {
  const run = open([load("addheader", "Noop")]);
  await run.result;
  shim.releaseRequest(run.request);
  shim.openRequests(); // releases reach the shim together (with the next start of runs); counting sends them now
  const err = refused(() => shim.run(api, run.request, { hooks: hooks(load("addheader", "Noop")) }), Status.E_GONE, /not open/);
  assert.equal(err.request, run.request);
  refused(() => shim.run(api, 987654, { hooks: [] }), Status.E_GONE);
});

test("request life: a run on a busy handle is refused with E_BAD_STATE; the request works again once the run ends", async () => {
  const sleepy = load("slow", "SleepIfAsked");
  const before = shim.openRequests();
  const run = open([sleepy], { open: { headers: [["x-sleep-ms", "150"]] } });
  try {
    assert.ok(run.result instanceof Promise, "handed off: the call returned while the plugin sleeps");
    assert.equal(shim.openRequests(), before + 1);
    refused(() => shim.run(api, run.request, { hooks: hooks(load("addheader", "Noop")) }), Status.E_BAD_STATE, /already running/);
    assert.equal((await run.result).hooks.length, 1);
    const after = await next(run.request, [load("addheader", "AddFooBarHeader")]);
    assert.deepEqual(after.headerChanges, [["Foo", ["Bar"]]], "the refused run changed nothing");
  } finally {
    shim.releaseRequest(run.request);
  }
  assert.equal(shim.openRequests(), before);
});

test("request life: every run is handed off, a fast one too: the call returns at once and the result comes through the promise", async () => {
  const pendingBefore = shim.pendingCalls;
  const fast = open([load("addheader", "AddFooBarHeader")]);
  try {
    assert.ok(fast.result instanceof Promise, "a fast run is handed off too");
    assert.equal(typeof fast.abandon, "function");
    assert.equal(shim.pendingCalls, pendingBefore + 1, "its result comes through the completion queue");
    assert.deepEqual((await fast.result).headerChanges, [["Foo", ["Bar"]]]);
    assert.equal(shim.pendingCalls, pendingBefore);
  } finally {
    shim.releaseRequest(fast.request);
  }
  const started = performance.now();
  const run = open([load("slow", "SleepIfAsked"), load("addheader", "AddFooBarHeader"), load("logger", "AddFooBarHeader")], {
    open: { headers: [["x-sleep-ms", "40"]] },
  });
  const heldMs = performance.now() - started;
  try {
    assert.ok(heldMs < 20, `the call returned before the 40 ms plugin ended (${heldMs.toFixed(1)} ms)`);
    assert.ok(run.result instanceof Promise);
    assert.equal(typeof run.abandon, "function");
    const out = await run.result;
    assert.equal(out.hooks.length, 3);
    assert.ok(out.hooks[0].execNs >= 40e6, `the sleep was measured in Go (${out.hooks[0].execNs} ns)`);
    assert.deepEqual(out.headerChanges, [["Foo", ["Bar", "Bar"]]]);
    assert.equal(out.hooks[2].logs.length, 2);
  } finally {
    shim.releaseRequest(run.request);
  }
  assert.equal(shim.pendingCalls, 0);
});

test("request life: 300 runs on as many requests, ending together, each get their own result (completions are taken in batches)", async () => {
  // Issued in one synchronous loop, so no completion can be taken before the
  // last call returns: the runs end close together and their ids pile up in
  // the completion queue, often past the 256 the gateway takes at a time.
  const rewrite = load("tykcompat", "Rewrite");
  const before = shim.openRequests();
  const pendingBefore = shim.pendingCalls;
  const n = 300;
  const runs: Run[] = [];
  try {
    for (let i = 0; i < n; i++) runs.push(open([rewrite], { open: { method: "POST", body: bytes(`request ${i}`) } }));
    assert.equal(new Set(runs.map((r) => r.request)).size, n, "one Go request each");
    assert.equal(shim.openRequests(), before + n);
    assert.equal(shim.pendingCalls, pendingBefore + n, "none was answered in the call");
    const outs = await Promise.all(runs.map((r) => r.result));
    outs.forEach((out, i) => {
      assert.equal(text(out.body), `plugin saw: request ${i}`, `run ${i} got its own result`);
      assert.equal(out.method, "PUT");
      assert.equal(out.panicked, false);
      assert.equal(out.hooks.length, 1);
    });
    assert.equal(shim.pendingCalls, pendingBefore);
  } finally {
    for (const r of runs) shim.releaseRequest(r.request);
  }
  assert.equal(shim.openRequests(), before);
});

test("request life: abandon() rejects a handed-off run with CallAbandonedError; a request released while it runs lives until it ends", async () => {
  const before = shim.openRequests();
  const pendingBefore = shim.pendingCalls;
  const run = open([load("slow", "SleepIfAsked")], { open: { headers: [["x-sleep-ms", "150"]] } });
  assert.ok(run.result instanceof Promise);
  assert.equal(shim.pendingCalls, pendingBefore + 1);
  run.abandon("gave up waiting");
  await assert.rejects(run.result, (err: unknown) => err instanceof CallAbandonedError && /gave up waiting/.test(err.message));
  assert.equal(shim.pendingCalls, pendingBefore);
  run.abandon("again"); // a no-op
  refused(() => shim.run(api, run.request, { hooks: [] }), Status.E_BAD_STATE, /already running/);
  shim.releaseRequest(run.request);
  assert.equal(shim.openRequests(), before + 1, "the run still holds it");
  refused(() => shim.run(api, run.request, { hooks: [] }), Status.E_GONE);
  await openRequestsBecome(before);
  await sleep(20);
  assert.equal(shim.pendingCalls, pendingBefore, "the late result was dropped");
});

test("request life: frames that do not fit the handle are refused", async () => {
  refused(() => shim.run(api, 0, { hooks: [] }), Status.E_BAD_INPUT, /must open one/);
  const run = open([]);
  await run.result;
  try {
    refused(() => shim.run(api, run.request, { open: openSection(), hooks: [] }), Status.E_BAD_INPUT, /open already/);
    assert.deepEqual((await next(run.request, [load("addheader", "AddFooBarHeader")])).headerChanges, [["Foo", ["Bar"]]], "still usable");
  } finally {
    shim.releaseRequest(run.request);
  }
  const bad = shim.run(api, 0, { open: openSection({ uri: "no-slash" }), hooks: [] });
  await rejected(bad, Status.E_BAD_INPUT, /request URI/);
  shim.releaseRequest(bad.request);
});

test("failures: a panic fails only its own run, with message and stack", async () => {
  const h = load("panics", "Boom");
  const out = await runOnce(shim, api, [h, load("addheader", "AddFooBarHeader")]);
  assert.equal(out.panicked, true);
  assert.equal(out.hooks.length, 1, "the run stopped at the panic");
  assert.match(out.hooks[0].panic!.message, /assignment to entry in nil map/);
  assert.match(out.hooks[0].panic!.stack, /Boom/);
  assert.equal(out.headerChanges, undefined);
  assert.deepEqual((await runOnce(shim, api, [load("addheader", "AddFooBarHeader")])).headerChanges, [["Foo", ["Bar"]]]);
});

test("failures: a panic leaves its request usable for the next run", async () => {
  const run = open([load("panics", "Boom")]);
  try {
    assert.equal((await run.result).panicked, true);
    const out = await next(run.request, [load("addheader", "AddFooBarHeader")]);
    assert.equal(out.panicked, false);
    assert.deepEqual(out.headerChanges, [["Foo", ["Bar"]]]);
  } finally {
    shim.releaseRequest(run.request);
  }
});

test("failures: log.Fatal in a plugin fails the run instead of exiting", async () => {
  const out = await runOnce(shim, api, [load("logger", "Fatal")]);
  assert.equal(out.panicked, true);
  assert.match(out.hooks[0].panic!.message, /log\.Fatal/);
  assert.equal(out.hooks[0].logs[0]?.msg, "giving up");
});

test("failures: a panic in a handed-off run is reported the same way", async () => {
  const run = open([load("slow", "SleepIfAsked"), load("panics", "Boom")], { open: { headers: [["x-sleep-ms", "20"]] } });
  try {
    assert.ok(run.result instanceof Promise);
    const out = await run.result;
    assert.equal(out.panicked, true);
    assert.equal(out.hooks.length, 2);
    assert.match(out.hooks[1].panic!.message, /nil map/);
  } finally {
    shim.releaseRequest(run.request);
  }
});

test("failures: an unknown plugin handle is an error, not a crash, and the request stays usable", async () => {
  const run = open([]);
  await run.result;
  try {
    await rejected(shim.run(api, run.request, { hooks: [{ plugin: 9999 }] }), Status.E_BAD_INPUT, /unknown plugin handle/);
    assert.deepEqual((await next(run.request, [load("addheader", "AddFooBarHeader")])).headerChanges, [["Foo", ["Bar"]]], "still usable");
  } finally {
    shim.releaseRequest(run.request);
  }
});

// A first run (request 0) that opens the request and is then refused (an
// unknown plugin handle, bad gateway changes) must still hand back the
// handle, or the request would stay open for good.
test("failures: a first run refused after it opened the request hands back the handle to release", async () => {
  const before = shim.openRequests();
  for (const bad of [{ hooks: [{ plugin: 9999 }] }, { upstream: { url: "http://[::1", host: "x" }, hooks: [] }]) {
    const err = await rejected(shim.run(api, 0, { open: openSection(), ...bad }), Status.E_BAD_INPUT);
    assert.notEqual(err.request, 0, "the handle of the request the run opened");
    shim.releaseRequest(err.request);
    assert.equal(shim.openRequests(), before);
  }
});

test("failures: with the shim loaded, SIGPIPE stays ignored, so a closed socket cannot kill the process", () => {
  const m = /SigIgn:\s*([0-9a-f]+)/.exec(readFileSync("/proc/self/status", "utf8"));
  assert.ok(m, "SigIgn readable");
  assert.equal((BigInt(`0x${m[1]}`) >> 12n) & 1n, 1n, "SIGPIPE (13) ignored");
});

test("every request these tests opened is released", async () => {
  await openRequestsBecome(baseline);
  assert.equal(shim.pendingCalls, 0);
});
