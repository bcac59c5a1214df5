// Records on their way from a request to the sink, as in Tyk: the API's analytics plugin (analytics_plugin, Tyk's
// GoAnalyticsPlugin) may change each record first, then what Tyk's analytics worker adds (finishRecord) is added.
//
// Plugins never touch the request path: a record is handed over once its response is decided, and the records of
// each plugin gathered in one turn of the event loop go to Go together (one entry for many), where they run on a
// worker like a run of hooks. Whatever a plugin does, every record is stored: one its plugin panicked on, or could
// not be given, is stored as it was made; a batch not done within plugin_timeout_ms (a plugin that blocks) is stored
// unchanged then. A batch is never abandoned, so the gateway knows how many are still in Go: each plugin has at most
// `maxBatchesInGo` there, finished or not, so one that blocks for good holds that many goroutines and no more, and
// never counts against the shim's limit of stuck request runs; its records wait (at most `maxWaiting`) for a batch
// to come back, and past that are stored unchanged without waiting.

import { setImmediate } from "node:timers";
import type { AnalyticsOutcome } from "../../ffi/shim.ts";
import type { Logger } from "../log.ts";
import type { AnalyticsItem, LoadedPlugin } from "../plugin-driver/index.ts";
import { type AnalyticsRecord, AnalyticsRecordSchema, finishRecord } from "./record.ts";
import type { AnalyticsSink } from "./sink.ts";

/** Runs analytics plugins on a batch of records: PluginDriver.runAnalytics. */
export type AnalyticsRunner = (items: readonly AnalyticsItem[]) => Promise<AnalyticsOutcome[]>;

export interface AnalyticsRecorderOptions {
  sink: AnalyticsSink;
  /** tyk.conf hash_keys: records store the key's hash (see finishRecord). */
  hashKeys: boolean;
  runPlugins: AnalyticsRunner;
  /** plugin_timeout_ms: how long a batch of records may spend in its plugin before it is stored unchanged. */
  timeoutMs: number;
  log: Logger;
  /** Records per entry into Go; default 64. */
  batchSize?: number;
  /** Batches of one plugin in Go at once, timed out or not; default 4. */
  maxBatchesInGo?: number;
  /** Records of one plugin waiting for a batch to come back; default 10000 (the sinks' buffer). */
  maxWaiting?: number;
}

/** One plugin's records on their way. */
interface PluginQueue {
  plugin: LoadedPlugin;
  waiting: AnalyticsRecord[];
  inGo: number;
  /** Records are being stored without the plugin (its queue was full); said once until it catches up. */
  behind: boolean;
}

/** Takes each request's record to the sink, through its API's analytics plugin when it has one. */
export class AnalyticsRecorder {
  private readonly batchSize: number;
  private readonly maxBatchesInGo: number;
  private readonly maxWaiting: number;
  /** By plugin handle. */
  private readonly queues = new Map<number, PluginQueue>();
  private scheduled = false;
  /** Batches whose records are not stored yet. */
  private readonly unstored = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly opts: AnalyticsRecorderOptions) {
    this.batchSize = Math.max(1, opts.batchSize ?? 64);
    this.maxBatchesInGo = Math.max(1, opts.maxBatchesInGo ?? 4);
    this.maxWaiting = Math.max(1, opts.maxWaiting ?? 10_000);
  }

  /**
   * Stores a request's record, as Tyk's RecordHit made it (see buildRecord), after `plugin` (its API's analytics
   * plugin, when loaded) has run on it. Never blocks or throws.
   */
  write(hit: AnalyticsRecord, plugin?: LoadedPlugin): void {
    if (!plugin || this.closed) return this.store(hit);
    let q = this.queues.get(plugin.handle);
    if (!q) this.queues.set(plugin.handle, q = { plugin, waiting: [], inGo: 0, behind: false });
    if (q.waiting.length >= this.maxWaiting) {
      if (!q.behind) {
        q.behind = true;
        this.opts.log.warn(
          { plugin: plugin.path, symbol: plugin.symbol, waiting: q.waiting.length },
          "analytics plugin is behind: its records are stored without it until it catches up",
        );
      }
      return this.store(hit);
    }
    q.waiting.push(hit);
    if (q.waiting.length >= this.batchSize) this.send(q);
    else if (!this.scheduled) {
      // Records of requests that end in the same turn of the event loop go together.
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        for (const each of this.queues.values()) this.send(each);
      });
    }
  }

  /**
   * Stores every record written so far: those in plugins once they come back (within the timeout), those waiting
   * for a plugin that still holds all its batches unchanged; then closes the sink. Later records go straight to
   * the closed sink (which drops them). Idempotent.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queues.values()) this.send(q);
    // A batch that comes back lets waiting records go in.
    while (this.unstored.size > 0) await Promise.all([...this.unstored]);
    for (const q of this.queues.values()) q.waiting.splice(0).forEach((rec) => this.store(rec));
    await this.opts.sink.close();
  }

  private send(q: PluginQueue): void {
    while (q.waiting.length > 0 && q.inGo < this.maxBatchesInGo) {
      const batch = q.waiting.splice(0, this.batchSize);
      q.behind = false;
      q.inGo++;
      const stored = this.runBatch(q, batch).finally(() => this.unstored.delete(stored));
      this.unstored.add(stored);
    }
  }

  /** Resolves once the batch's records are stored: as the plugin left them, or unchanged at the timeout. */
  private runBatch(q: PluginQueue, batch: AnalyticsRecord[]): Promise<void> {
    const items = batch.map((rec) => ({ plugin: q.plugin, apiId: rec.api_id, record: JSON.stringify(rec) }));
    return new Promise<void>((stored) => {
      let done = false;
      const storeOnce = (outcomes?: AnalyticsOutcome[]) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        batch.forEach((rec, i) => this.store(this.changed(q.plugin, rec, outcomes?.[i]) ?? rec));
        stored();
      };
      const timer = setTimeout(() => {
        this.opts.log.warn(
          { plugin: q.plugin.path, symbol: q.plugin.symbol, records: batch.length, timeout_ms: this.opts.timeoutMs },
          "analytics plugin did not return in time: its records are stored unchanged",
        );
        storeOnce();
      }, this.opts.timeoutMs);
      this.opts.runPlugins(items).then(storeOnce, (err: Error) => {
        this.opts.log.warn(
          { plugin: q.plugin.path, symbol: q.plugin.symbol, records: batch.length, err: err.message },
          "analytics plugin not run: its records are stored unchanged",
        );
        storeOnce();
      }).finally(() => {
        // Only now is the batch out of Go.
        q.inGo--;
        this.send(q);
      });
    });
  }

  /** The record as its plugin left it, or undefined when it did not change it (or left something unusable). */
  private changed(
    plugin: LoadedPlugin,
    rec: AnalyticsRecord,
    outcome: AnalyticsOutcome | undefined,
  ): AnalyticsRecord | undefined {
    if (outcome?.changed === undefined) return undefined;
    const parsed = AnalyticsRecordSchema.safeParse(JSON.parse(outcome.changed));
    if (parsed.success) return parsed.data;
    this.opts.log.error(
      { api_id: rec.api_id, plugin: plugin.path, symbol: plugin.symbol, err: parsed.error.message },
      "analytics record left unchanged: the plugin's record cannot be read",
    );
    return undefined;
  }

  private store(rec: AnalyticsRecord): void {
    this.opts.sink.write(finishRecord(rec, this.opts.hashKeys));
  }
}
