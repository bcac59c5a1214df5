// JsonlFileSink against real files: buffering, flush on demand / on the timer / on a full batch / on close, the bounded
// buffer dropping its oldest records, and a destination that cannot be opened.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { AnalyticsRecord } from "../../src/analytics/record.ts";
import { JsonlFileSink } from "../../src/analytics/sink.ts";
import { rec } from "../helpers/analytics.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "analytics-sink-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function lines(file: string): Promise<AnalyticsRecord[]> {
  if (!existsSync(file)) return [];
  return (await readFile(file, "utf8")).split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

async function until(cond: () => Promise<boolean>, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const quiet = { flushIntervalMs: 60_000 };

test("write only buffers; flush appends one JSON object per line, in order", () =>
  withDir(async (dir) => {
    const file = join(dir, "a.jsonl");
    const sink = new JsonlFileSink(file, quiet);
    sink.write(rec(1));
    sink.write(rec(2));
    assert.equal(existsSync(file), false, "nothing touches the disk on the request path");
    assert.equal(sink.stats().buffered, 2);
    await sink.flush();
    assert.deepEqual(await lines(file), [rec(1), rec(2)]);
    sink.write(rec(3));
    await sink.flush();
    assert.deepEqual((await lines(file)).map((r) => r.path), ["/r1", "/r2", "/r3"]);
    assert.deepEqual(sink.stats(), { written: 3, dropped: 0, failed: 0, buffered: 0 });
    await sink.close();
  }));

test("the timer flushes without being asked", () =>
  withDir(async (dir) => {
    const file = join(dir, "t.jsonl");
    const sink = new JsonlFileSink(file, { flushIntervalMs: 20 });
    sink.write(rec(1));
    await until(async () => (await lines(file)).length === 1);
    await sink.close();
  }));

test("a full batch is written before the timer fires", () =>
  withDir(async (dir) => {
    const file = join(dir, "b.jsonl");
    const sink = new JsonlFileSink(file, { ...quiet, batchSize: 3 });
    sink.write(rec(1));
    sink.write(rec(2));
    await new Promise((r) => setTimeout(r, 30));
    assert.equal((await lines(file)).length, 0, "below the batch size it waits for the timer");
    sink.write(rec(3));
    await until(async () => (await lines(file)).length === 3);
    await sink.close();
  }));

test("close writes what is buffered, is idempotent, and later writes are dropped", () =>
  withDir(async (dir) => {
    const file = join(dir, "c.jsonl");
    const sink = new JsonlFileSink(file, quiet);
    sink.write(rec(1));
    sink.write(rec(2));
    await Promise.all([sink.close(), sink.close()]);
    assert.equal((await lines(file)).length, 2);
    sink.write(rec(3));
    await sink.flush();
    assert.equal((await lines(file)).length, 2);
    assert.deepEqual(sink.stats(), { written: 2, dropped: 1, failed: 0, buffered: 0 });
  }));

test("when records outpace the disk, the buffer keeps the newest and counts the dropped", () =>
  withDir(async (dir) => {
    const file = join(dir, "d.jsonl");
    const sink = new JsonlFileSink(file, { ...quiet, maxBuffered: 4 });
    // Synchronous writes: no flush can run in between, as when the disk lags behind traffic.
    for (let i = 0; i < 10; i++) sink.write(rec(i));
    assert.deepEqual(sink.stats(), { written: 0, dropped: 6, failed: 0, buffered: 4 });
    await sink.flush();
    assert.deepEqual((await lines(file)).map((r) => r.path), ["/r6", "/r7", "/r8", "/r9"]);
    assert.equal(sink.stats().written, 4);
    await sink.close();
  }));

test("a destination that cannot be opened counts records as failed, reports the error, and is retried", () =>
  withDir(async (dir) => {
    const errors: unknown[] = [];
    const sink = new JsonlFileSink(join(dir, "missing", "e.jsonl"), { ...quiet, onError: (e) => errors.push(e) });
    sink.write(rec(1));
    sink.write(rec(2));
    await sink.flush();
    assert.equal(errors.length, 1);
    assert.equal((errors[0] as NodeJS.ErrnoException).code, "ENOENT");
    assert.deepEqual(sink.stats(), { written: 0, dropped: 0, failed: 2, buffered: 0 });
    // Once the directory exists, the next batch opens the file afresh.
    await mkdir(join(dir, "missing"));
    sink.write(rec(3));
    await sink.close();
    assert.deepEqual((await lines(join(dir, "missing", "e.jsonl"))).map((r) => r.path), ["/r3"]);
    assert.deepEqual(sink.stats(), { written: 1, dropped: 0, failed: 2, buffered: 0 });
  }));
