// AnalyticsRecorder with a stand-in for the Go side: what reaches the sink when a plugin changes a record, leaves it,
// hands back something unusable, is refused, or never returns; how many batches a plugin that blocks can hold; and
// what close() stores.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AnalyticsOutcome } from "../../ffi/shim.ts";
import type { AnalyticsRecord } from "../../src/analytics/record.ts";
import { AnalyticsRecorder, type AnalyticsRunner } from "../../src/analytics/recorder.ts";
import type { AnalyticsSink } from "../../src/analytics/sink.ts";
import type { AnalyticsItem, LoadedPlugin } from "../../src/plugin-driver/index.ts";
import { hit } from "../helpers/analytics.ts";
import { capturedLogger } from "../helpers/logs.ts";

const PLUGIN: LoadedPlugin = { handle: 7, path: "/p/analytics.so", symbol: "Tag", kind: 3 };

/** A sink that keeps what it is given. */
function memorySink(): AnalyticsSink & { records: AnalyticsRecord[]; closed: boolean } {
  const s = {
    records: [] as AnalyticsRecord[],
    closed: false,
    write: (r: AnalyticsRecord) => void s.records.push(r),
    flush: () => Promise.resolve(),
    close: () => {
      s.closed = true;
      return Promise.resolve();
    },
  };
  return s;
}

function recorder(
  runPlugins: AnalyticsRunner,
  extra: Partial<ConstructorParameters<typeof AnalyticsRecorder>[0]> = {},
) {
  const sink = memorySink();
  const { log, lines } = capturedLogger();
  const r = new AnalyticsRecorder({ sink, hashKeys: false, runPlugins, timeoutMs: 100, log, ...extra });
  return { r, sink, lines };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** What a plugin adding a tag hands back for each item. */
const tagging = (items: readonly AnalyticsItem[]): AnalyticsOutcome[] =>
  items.map((i) => {
    const rec = JSON.parse(i.record);
    return {
      execNs: 1,
      logs: [],
      changed: JSON.stringify({ ...rec, tags: [...rec.tags, "tagged"], collection_name: "c" }),
    };
  });

test("records of one turn go to Go in one batch; changes are kept, then Tyk's worker tags appended", async () => {
  const calls: AnalyticsItem[][] = [];
  const { r, sink } = recorder((items) => {
    calls.push([...items]);
    return Promise.resolve(items.map((i, n) => n === 1 ? { execNs: 1, logs: [] } : tagging([i])[0]));
  });
  r.write(hit(1), PLUGIN);
  r.write(hit(2), PLUGIN);
  r.write(hit(3)); // no plugin: stored at once
  assert.deepEqual(sink.records.map((x) => x.path), ["/r3"]);
  await tick(10);
  assert.equal(calls.length, 1, "one entry into Go");
  assert.deepEqual(calls[0].map((i) => JSON.parse(i.record).path), ["/r1", "/r2"]);
  assert.deepEqual(sink.records.map((x) => [x.path, x.tags, x.collection_name]), [
    ["/r3", ["org-o", "api-api1"], undefined],
    ["/r1", ["tagged", "org-o", "api-api1"], "c"],
    ["/r2", ["org-o", "api-api1"], undefined],
  ]);
});

test("a record the plugin hands back unusable, or a batch the shim refuses, is stored unchanged and logged", async () => {
  const bad = recorder((items) => Promise.resolve(items.map(() => ({ execNs: 1, logs: [], changed: `{"method":1}` }))));
  bad.r.write(hit(1), PLUGIN);
  await tick(10);
  assert.deepEqual(bad.sink.records.map((x) => x.tags), [["org-o", "api-api1"]]);
  assert.ok(bad.lines.some((l) => l.msg === "analytics record left unchanged: the plugin's record cannot be read"));
  const refused = recorder(() => Promise.reject(new Error("shim_analytics_run: E_BUSY")));
  refused.r.write(hit(2), PLUGIN);
  await tick(10);
  assert.equal(refused.sink.records.length, 1);
  assert.ok(refused.lines.some((l) => l.msg === "analytics plugin not run: its records are stored unchanged"));
});

test("a plugin that never returns: its records are stored unchanged at the timeout, and it holds no more than maxBatchesInGo batches", async () => {
  let calls = 0;
  const { r, sink, lines } = recorder(() => {
    calls++;
    return new Promise<AnalyticsOutcome[]>(() => {});
  }, { batchSize: 2, maxBatchesInGo: 2, maxWaiting: 3 });
  for (let i = 0; i < 4; i++) r.write(hit(i), PLUGIN);
  await tick(10);
  assert.equal(calls, 2, "two batches of two in Go");
  await tick(150);
  assert.equal(sink.records.length, 4, "stored unchanged at the timeout");
  assert.ok(sink.records.every((x) => !x.tags?.includes("tagged")));
  // Both batches are still in Go: new records wait, and past maxWaiting are stored at once, said once.
  for (let i = 4; i < 9; i++) r.write(hit(i), PLUGIN);
  await tick(150);
  assert.equal(calls, 2, "nothing more goes to a plugin holding all its batches");
  assert.deepEqual(sink.records.slice(4).map((x) => x.path), ["/r7", "/r8"]);
  assert.equal(
    lines.filter((l) => l.msg === "analytics plugin is behind: its records are stored without it until it catches up")
      .length,
    1,
  );
  // close() stores the waiting ones unchanged, then closes the sink.
  await r.close();
  assert.deepEqual(sink.records.slice(6).map((x) => x.path), ["/r4", "/r5", "/r6"]);
  assert.equal(sink.closed, true);
});

test("a batch coming back after its timeout frees its place for the records waiting", async () => {
  const pending: Array<() => void> = [];
  const { r, sink } = recorder(
    (items) => new Promise<AnalyticsOutcome[]>((resolve) => pending.push(() => resolve(tagging(items)))),
    { batchSize: 1, maxBatchesInGo: 1 },
  );
  r.write(hit(1), PLUGIN);
  r.write(hit(2), PLUGIN);
  await tick(150);
  assert.deepEqual(sink.records.map((x) => x.path), ["/r1"], "the first stored unchanged at its timeout");
  assert.equal(pending.length, 1, "the second waits for the first to leave Go");
  pending[0]();
  await tick(10);
  assert.equal(pending.length, 2);
  pending[1]();
  await tick(10);
  assert.deepEqual(sink.records.map((x) => [x.path, x.tags]), [
    ["/r1", ["org-o", "api-api1"]],
    ["/r2", ["tagged", "org-o", "api-api1"]],
  ]);
  await r.close();
});
