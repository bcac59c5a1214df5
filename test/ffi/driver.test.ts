// The plugin driver: a plugin that blocks never stalls the event loop or other
// calls, a trivial plugin settles on the inline fast path, and everything a
// plugin logs (or a panic) reaches the gateway's pino log with API, plugin
// and symbol.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PluginDriver } from "../../src/plugin-driver/index.ts";
import { capturedLogger } from "../helpers/logs.ts";
import { CLASSIC_API, request, testShim } from "../helpers/shim.ts";

const { shim, plugins } = await testShim();
const api = shim.registerApi("classic", CLASSIC_API);

function setup(options = {}) {
  const { log, lines } = capturedLogger();
  const driver = new PluginDriver(shim, log, options);
  const load = (plugin: string, symbol: string) => {
    const res = driver.load(plugins[plugin], symbol);
    if (!res.ok) throw new Error(res.error);
    return res.plugin;
  };
  return { driver, lines, load };
}

test("40 concurrent calls to a plugin sleeping 200 ms overlap, and the event loop keeps running", async () => {
  const { driver, load } = setup();
  const slow = load("slow", "Sleep200");
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const started = performance.now();
  const outs = await Promise.all(Array.from({ length: 40 }, () => driver.call(slow, api, "api-1", request())));
  const elapsed = performance.now() - started;
  clearInterval(timer);
  const maxInFlight = Math.max(...outs.map((o) => Number(o.result.headerChanges!.find(([k]) => k === "X-Max-In-Flight")![1][0])));
  assert.ok(maxInFlight >= 30, `calls overlapped: max in flight ${maxInFlight}`);
  assert.ok(elapsed < 40 * 200 / 4, `40 x 200 ms took ${elapsed.toFixed(0)} ms, so they ran concurrently`);
  assert.ok(ticks >= 5, `the event loop ran timers while the plugin slept (${ticks} ticks)`);
  assert.equal(driver.stats(slow).mode, "async");
  assert.equal(driver.stats(slow).inlineCalls, 0);
});

test("a trivial plugin moves to the inline fast path after its probe calls", async () => {
  const { driver, load } = setup({ probeCalls: 4 });
  const fast = load("addheader", "AddFooBarHeader");
  for (let i = 0; i < 4; i++) await driver.call(fast, api, "api-1", request());
  assert.equal(driver.stats(fast).mode, "inline");
  for (let i = 0; i < 100; i++) {
    const out = driver.call(fast, api, "api-1", request());
    assert.ok(!(out instanceof Promise), "inline calls answer synchronously");
  }
  assert.deepEqual(driver.stats(fast), { mode: "inline", inlineCalls: 100, asyncCalls: 4, demotions: 0 });
});

test("a plugin slower than the budget stays on goroutines", async () => {
  const { driver, load } = setup({ probeCalls: 1, inlineBudgetNs: 1 });
  const noop = load("addheader", "Noop");
  await driver.call(noop, api, "api-1", request());
  assert.equal(driver.stats(noop).mode, "async");
});

test("an inline plugin that blocks (over ten budgets) is demoted at once, and promoted back after quick calls", async () => {
  const { driver, load } = setup({ probeCalls: 2, inlineBudgetNs: 5_000_000, promoteAfter: 3 });
  const sometimes = load("slow", "SleepIfAsked");
  for (let i = 0; i < 2; i++) await driver.call(sometimes, api, "api-1", request());
  assert.equal(driver.stats(sometimes).mode, "inline");
  const slowCall = driver.call(sometimes, api, "api-1", request({ headers: [["x-sleep-ms", "80"]] }));
  assert.ok(!(slowCall instanceof Promise), "that call itself ran inline");
  assert.deepEqual(driver.stats(sometimes), { mode: "async", inlineCalls: 1, asyncCalls: 2, demotions: 1 });
  for (let i = 0; i < 3; i++) await driver.call(sometimes, api, "api-1", request());
  assert.equal(driver.stats(sometimes).mode, "inline");
});

test("small overruns (a descheduled thread) demote only when three come within 64 calls", async () => {
  const { driver, load } = setup({ probeCalls: 1, inlineBudgetNs: 5_000_000 });
  const sometimes = load("slow", "SleepIfAsked");
  await driver.call(sometimes, api, "api-1", request());
  const small = () => driver.call(sometimes, api, "api-1", request({ headers: [["x-sleep-ms", "8"]] }));
  small();
  for (let i = 0; i < 70; i++) driver.call(sometimes, api, "api-1", request());
  small();
  assert.equal(driver.stats(sometimes).mode, "inline", "two overruns 70 calls apart");
  small();
  small();
  assert.equal(driver.stats(sometimes).mode, "async", "three within the window");
  assert.equal(driver.stats(sometimes).demotions, 1);
});

test("an abandoned async call rejects and its late result is dropped", async () => {
  const { load } = setup();
  const slow = load("slow", "Sleep200");
  const ac = new AbortController();
  const p = shim.callAsync(slow.handle, api, request(), ac.signal);
  ac.abort("timeout");
  await assert.rejects(p, /timeout/);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(shim.pendingCalls, 0);
});

test("plugin logs reach pino with level, fields, API id, plugin path and symbol", async () => {
  const { driver, lines, load } = setup();
  const logger = load("logger", "AddFooBarHeader");
  await driver.call(logger, api, "api-1", request());
  const recs = lines.filter((l) => l.source === "plugin" && l.symbol === "AddFooBarHeader");
  assert.deepEqual(recs.map((l) => [l.level, l.msg]), [[30, "Processing HTTP request in Golang plugin!!"], [40, "with a field"]]);
  assert.equal(recs[1].path, "/test/get");
  assert.equal(recs[0].api_id, "api-1");
  assert.equal(recs[0].plugin, plugins.logger);
});

test("a panic is logged with plugin, symbol and stack, and the next call works", async () => {
  const { driver, lines, load } = setup();
  const boom = load("panics", "Boom");
  const out = await driver.call(boom, api, "api-9", request());
  assert.equal(out.status, "panic");
  const rec = lines.find((l) => String(l.msg).startsWith("plugin panicked"));
  assert.ok(rec, "panic logged");
  assert.equal(rec.level, 50);
  assert.equal(rec.symbol, "Boom");
  assert.equal(rec.plugin, plugins.panics);
  assert.equal(rec.api_id, "api-9");
  assert.match(String(rec.stack), /tykgw\.plugin\/panics\/b\w+\.Boom/);
  const again = await driver.call(load("addheader", "AddFooBarHeader"), api, "api-9", request());
  assert.equal(again.status, "ok");
});
