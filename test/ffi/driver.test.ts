// A plugin that blocks never stalls the event loop or other calls, and a
// trivial plugin settles on the inline fast path.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PluginDriver } from "../../src/plugin-driver/index.ts";
import { CLASSIC_API, request, testShim } from "../helpers/shim.ts";

const { shim, plugins } = await testShim();
const api = shim.registerApi("classic", CLASSIC_API);

function handle(plugin: string, symbol: string): number {
  const res = shim.loadPlugin(plugins[plugin], symbol);
  if (!res.ok) throw new Error(res.error);
  return res.handle;
}

test("40 concurrent calls to a plugin sleeping 200 ms overlap, and the event loop keeps running", async () => {
  const driver = new PluginDriver(shim);
  const slow = handle("slow", "Sleep200");
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const started = performance.now();
  const outs = await Promise.all(Array.from({ length: 40 }, () => driver.call(slow, api, request())));
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
  const driver = new PluginDriver(shim, { probeCalls: 4 });
  const fast = handle("addheader", "AddFooBarHeader");
  for (let i = 0; i < 4; i++) await driver.call(fast, api, request());
  assert.equal(driver.stats(fast).mode, "inline");
  for (let i = 0; i < 100; i++) {
    const out = driver.call(fast, api, request());
    assert.ok(!(out instanceof Promise), "inline calls answer synchronously");
  }
  assert.deepEqual(driver.stats(fast), { mode: "inline", inlineCalls: 100, asyncCalls: 4, demotions: 0 });
});

test("an inline plugin that overruns the budget is demoted to goroutines", async () => {
  const driver = new PluginDriver(shim, { probeCalls: 1, inlineBudgetNs: 1 });
  const fast = handle("addheader", "Noop");
  // With a 1 ns budget every call overruns: probing leaves it async.
  await driver.call(fast, api, request());
  assert.equal(driver.stats(fast).mode, "async");
});

test("an abandoned async call rejects and its late result is dropped", async () => {
  const slow = handle("slow", "Sleep200");
  const ac = new AbortController();
  const p = shim.callAsync(slow, api, request(), ac.signal);
  ac.abort("timeout");
  await assert.rejects(p, /timeout/);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(shim.pendingCalls, 0);
});
