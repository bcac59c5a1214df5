// The plugin driver: every run goes to a Go worker and the event loop never
// waits for it, so a plugin that blocks never stalls timers or other
// requests; a run past plugin_timeout_ms is abandoned; and everything a
// plugin logs (or a panic) reaches the gateway's pino log with API, request,
// plugin and symbol.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Status } from "../../ffi/abi.ts";
import { CallAbandonedError, ShimCallError } from "../../ffi/shim.ts";
import type { RunResult } from "../../ffi/wire.ts";
import { type DriverRun, PluginDriver, type RunContext } from "../../src/plugin-driver/index.ts";
import { capturedLogger } from "../helpers/logs.ts";
import { CLASSIC_API, openSection, testShim } from "../helpers/shim.ts";

const { shim, plugins } = await testShim();
const api = shim.registerApi("classic", CLASSIC_API);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const where = (requestId = "req-1", apiId = "api-1"): RunContext => ({ apiId, requestId });

function setup() {
  const { log, lines } = capturedLogger();
  const driver = new PluginDriver(shim, log);
  const load = (plugin: string, symbol: string) => {
    const res = driver.load(plugins[plugin], symbol);
    if (!res.ok) throw new Error(res.error);
    return res.plugin;
  };
  return { driver, lines, load };
}

/** Runs fn, timing how long it held the event loop. */
function held<T>(fn: () => T): [T, number] {
  const started = performance.now();
  const out = fn();
  return [out, performance.now() - started];
}

/** Settles a run, then releases its request. */
async function settle(driver: PluginDriver, run: DriverRun): Promise<RunResult> {
  try {
    return await run.result;
  } finally {
    driver.release(run.request);
  }
}

async function openRequestsBecome(n: number, withinMs = 3000): Promise<void> {
  const until = performance.now() + withinMs;
  while (shim.openRequests() !== n && performance.now() < until) await sleep(10);
  assert.equal(shim.openRequests(), n);
}

test("40 concurrent runs of a plugin sleeping 200 ms, each on its own request, overlap, and the event loop keeps running", async () => {
  const { driver, load } = setup();
  const slow = load("slow", "Sleep200");
  const before = shim.openRequests();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const started = performance.now();
  const heldMs: number[] = [];
  const runs = Array.from({ length: 40 }, (_, i) => {
    const [run, ms] = held(() => driver.run(api, 0, { open: openSection() }, [slow], where(`req-${i}`), 5000));
    heldMs.push(ms);
    return run;
  });
  assert.ok(runs.every((r) => r.result instanceof Promise), "every run was handed off");
  assert.equal(new Set(runs.map((r) => r.request)).size, 40, "one Go request each");
  assert.equal(shim.openRequests(), before + 40);
  const outs = await Promise.all(runs.map((r) => settle(driver, r)));
  const elapsed = performance.now() - started;
  clearInterval(timer);
  const maxInFlight = Math.max(...outs.map((o) => Number(o.headerChanges!.find(([k]) => k === "X-Max-In-Flight")![1][0])));
  assert.ok(maxInFlight >= 30, `runs overlapped: max in flight ${maxInFlight}`);
  assert.ok(elapsed < 40 * 200 / 4, `40 x 200 ms took ${elapsed.toFixed(0)} ms, so they ran concurrently`);
  assert.ok(ticks >= 5, `the event loop ran timers while the plugin slept (${ticks} ticks)`);
  assert.ok(Math.max(...heldMs) < 50, `no driver call held the event loop (max ${Math.max(...heldMs).toFixed(1)} ms)`);
  assert.equal(shim.openRequests(), before);
});

test("a plugin that blocks never holds the event loop, and is abandoned at the plugin timeout", async () => {
  const { driver, load } = setup();
  const sleepy = load("slow", "SleepIfAsked");
  const before = shim.openRequests();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const started = performance.now();
  const [run, heldMs] = held(() => driver.run(api, 0, { open: openSection({ headers: [["x-sleep-ms", "400"]] }) }, [sleepy], where(), 100));
  assert.ok(heldMs < 50, `the run held the event loop ${heldMs.toFixed(1)} ms`);
  assert.ok(run.result instanceof Promise, "handed off");
  await assert.rejects(run.result, (err: unknown) => err instanceof CallAbandonedError && /timed out after 100 ms/.test(err.message));
  const waited = performance.now() - started;
  clearInterval(timer);
  assert.ok(waited >= 90 && waited < 350, `rejected at the timeout, not when the plugin returned (${waited.toFixed(0)} ms)`);
  assert.ok(ticks >= 5, `timers kept ticking while it ran (${ticks} ticks)`);
  driver.release(run.request);
  assert.equal(shim.openRequests(), before + 1, "the abandoned run still holds its request");
  await openRequestsBecome(before);
  assert.equal(shim.pendingCalls, 0, "its late result was dropped");
});

test("every run is handed off and resolves through its promise, a fast one too; the driver call returns before a slow one ends", async () => {
  const { driver, load } = setup();
  const fast = load("addheader", "AddFooBarHeader");
  for (let i = 0; i < 100; i++) {
    const run = driver.run(api, 0, { open: openSection() }, [fast], where(), 1000);
    assert.ok(run.result instanceof Promise, "handed off");
    assert.deepEqual((await settle(driver, run)).headerChanges, [["Foo", ["Bar"]]]);
  }
  const sleepy = load("slow", "SleepIfAsked");
  const [run, heldMs] = held(() => driver.run(api, 0, { open: openSection({ headers: [["x-sleep-ms", "100"]] }) }, [sleepy], where(), 1000));
  assert.ok(run.result instanceof Promise, "handed off");
  assert.ok(heldMs < 50, `held ${heldMs.toFixed(1)} ms`);
  const out = await settle(driver, run);
  assert.ok(out.hooks[0].execNs >= 100e6);
});

test("later runs on a request continue it; release ends it", async () => {
  const { driver, load } = setup();
  const before = shim.openRequests();
  const first = driver.run(api, 0, { open: openSection() }, [load("lifecycle", "CtxSet")], where(), 1000);
  await first.result;
  const second = driver.run(api, first.request, {}, [load("lifecycle", "CtxPost")], where(), 1000);
  assert.equal(second.request, first.request);
  assert.deepEqual((await second.result).headerChanges, [["X-Ctx-Post", ["set-by-pre"]]], "the context value the first run set");
  assert.equal(shim.openRequests(), before + 1);
  driver.release(first.request);
  driver.release(0); // no request: nothing to do
  assert.equal(shim.openRequests(), before);
  assert.throws(
    () => driver.run(api, first.request, {}, [load("addheader", "Noop")], where(), 1000),
    (err: unknown) => err instanceof ShimCallError && err.status === Status.E_GONE,
  );
});

test("policies gates among the steps are sent as gates: with no session to apply policies to, the run goes on", async () => {
  const { driver, load } = setup();
  const noop = load("addheader", "Noop");
  const add = load("addheader", "AddFooBarHeader");
  const out = await settle(driver, driver.run(api, 0, { open: openSection() }, [noop, { policiesGate: true }, add], where(), 1000));
  assert.equal(out.gated, false);
  assert.equal(out.hooks.length, 2);
  assert.deepEqual(out.headerChanges, [["Foo", ["Bar"]]]);
});

test("plugin logs reach pino with level, fields, API id, request id, plugin path and symbol", async () => {
  const { driver, lines, load } = setup();
  const logger = load("logger", "AddFooBarHeader");
  await settle(driver, driver.run(api, 0, { open: openSection() }, [load("addheader", "Noop"), logger], where("req-7"), 1000));
  const recs = lines.filter((l) => l.source === "plugin" && l.symbol === "AddFooBarHeader");
  assert.deepEqual(recs.map((l) => [l.level, l.msg]), [[30, "Processing HTTP request in Golang plugin!!"], [40, "with a field"]]);
  assert.equal(recs[1].path, "/test/get");
  assert.equal(recs[0].api_id, "api-1");
  assert.equal(recs[0].request_id, "req-7");
  assert.equal(recs[0].plugin, plugins.logger);
  assert.equal(typeof recs[0].plugin_time, "number");
  assert.equal(lines.filter((l) => l.source === "plugin").length, 2, "the other hook logged nothing");
});

test("logs of a handed-off run reach pino too", async () => {
  const { driver, lines, load } = setup();
  const run = driver.run(api, 0, { open: openSection({ headers: [["x-sleep-ms", "20"]] }) }, [load("slow", "SleepIfAsked"), load("logger", "AddFooBarHeader")], where("req-8"), 1000);
  assert.ok(run.result instanceof Promise);
  assert.equal(lines.length, 0);
  await settle(driver, run);
  const recs = lines.filter((l) => l.source === "plugin");
  assert.deepEqual(recs.map((l) => [l.msg, l.request_id, l.symbol]), [
    ["Processing HTTP request in Golang plugin!!", "req-8", "AddFooBarHeader"],
    ["with a field", "req-8", "AddFooBarHeader"],
  ]);
});

test("a panic is logged with plugin, symbol and stack, and the next run works", async () => {
  const { driver, lines, load } = setup();
  const boom = load("panics", "Boom");
  const out = await settle(driver, driver.run(api, 0, { open: openSection() }, [boom], where("req-9", "api-9"), 1000));
  assert.equal(out.panicked, true);
  const rec = lines.find((l) => String(l.msg).startsWith("plugin panicked"));
  assert.ok(rec, "panic logged");
  assert.equal(rec.level, 50);
  assert.match(String(rec.msg), /assignment to entry in nil map/);
  assert.equal(rec.symbol, "Boom");
  assert.equal(rec.plugin, plugins.panics);
  assert.equal(rec.api_id, "api-9");
  assert.equal(rec.request_id, "req-9");
  assert.match(String(rec.stack), /tykgw\.plugin\/panics\/b\w+\.Boom/);
  const again = await settle(driver, driver.run(api, 0, { open: openSection() }, [load("addheader", "AddFooBarHeader")], where(), 1000));
  assert.equal(again.panicked, false);
  assert.deepEqual(again.headerChanges, [["Foo", ["Bar"]]]);
});
