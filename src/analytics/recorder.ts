// Records on their way from a request to the sink, as in Tyk: the API's analytics plugin (analytics_plugin, Tyk's
// GoAnalyticsPlugin) may change each record first, then what Tyk's analytics worker adds (finishRecord) is added.
//
// Plugins never touch the request path: a record is handed over once its response is decided, records of every API
// are gathered into batches (one entry into Go for many records), and a batch runs on a Go worker like a run of
// hooks. Whatever a plugin does, every record is stored: one its plugin panicked on, or could not be given, is stored
// as it was made; a batch not done within plugin_timeout_ms (a plugin that blocks), or refused by a shim with too
// many stuck runs, is stored unchanged at once. At most `maxPending` records wait for plugins; past that, records
// are stored unchanged without waiting, so a stuck plugin cannot grow the gateway's memory.

import { setImmediate } from "node:timers";
import type { AnalyticsOutcome } from "../../ffi/shim.ts";
import type { Logger } from "../log.ts";
import type { AnalyticsItem, LoadedPlugin } from "../plugin-driver/index.ts";
import { type AnalyticsRecord, AnalyticsRecordSchema, finishRecord } from "./record.ts";
import type { AnalyticsSink } from "./sink.ts";

/** Runs analytics plugins on a batch of records: PluginDriver.runAnalytics. */
export type AnalyticsRunner = (items: readonly AnalyticsItem[], timeoutMs: number) => Promise<AnalyticsOutcome[]>;

export interface AnalyticsRecorderOptions {
  sink: AnalyticsSink;
  /** tyk.conf hash_keys: records store the key's hash (see finishRecord). */
  hashKeys: boolean;
  runPlugins: AnalyticsRunner;
  /** plugin_timeout_ms: how long a batch of records may spend in plugins before it is stored unchanged. */
  timeoutMs: number;
  log: Logger;
  /** Records per entry into Go; default 64. */
  batchSize?: number;
  /** Most records waiting for plugins at once; default 10000 (the sinks' buffer). */
  maxPending?: number;
}

interface Waiting {
  rec: AnalyticsRecord;
  plugin: LoadedPlugin;
}

/** Takes each request's record to the sink, through its API's analytics plugin when it has one. */
export class AnalyticsRecorder {
  private readonly batchSize: number;
  private readonly maxPending: number;
  private queue: Waiting[] = [];
  private scheduled = false;
  /** Records queued or in Go. */
  private pending = 0;
  private readonly batches = new Set<Promise<void>>();
  private overflowing = false;
  private closed = false;

  constructor(private readonly opts: AnalyticsRecorderOptions) {
    this.batchSize = Math.max(1, opts.batchSize ?? 64);
    this.maxPending = Math.max(1, opts.maxPending ?? 10_000);
  }

  /**
   * Stores a request's record, as Tyk's RecordHit made it (see buildRecord), after `plugin` (its API's analytics
   * plugin, when loaded) has run on it. Never blocks or throws.
   */
  write(hit: AnalyticsRecord, plugin?: LoadedPlugin): void {
    if (!plugin || this.closed) return this.store(hit);
    if (this.pending >= this.maxPending) {
      if (!this.overflowing) {
        this.overflowing = true;
        this.opts.log.warn(
          { waiting: this.pending },
          "analytics plugins are behind: records are stored without them until they catch up",
        );
      }
      return this.store(hit);
    }
    this.overflowing = false;
    this.pending++;
    this.queue.push({ rec: hit, plugin });
    if (this.queue.length >= this.batchSize) this.send();
    else if (!this.scheduled) {
      // Records of requests that end in the same turn of the event loop go together.
      this.scheduled = true;
      setImmediate(() => this.send());
    }
  }

  /** Resolves once every record written before the call is in the sink and flushed (plugins bounded by their timeout). */
  async flush(): Promise<void> {
    this.send();
    await Promise.all([...this.batches]);
    await this.opts.sink.flush();
  }

  /** Stores what is waiting for plugins (within their timeout), then closes the sink. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.send();
    await Promise.all([...this.batches]);
    await this.opts.sink.close();
  }

  private send(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      const done = this.runBatch(batch).finally(() => this.batches.delete(done));
      this.batches.add(done);
    }
  }

  private async runBatch(batch: Waiting[]): Promise<void> {
    let outcomes: AnalyticsOutcome[] | undefined;
    try {
      const items = batch.map((w) => ({ plugin: w.plugin, apiId: w.rec.api_id, record: JSON.stringify(w.rec) }));
      outcomes = await this.opts.runPlugins(items, this.opts.timeoutMs);
    } catch (err) {
      this.opts.log.warn(
        { records: batch.length, err: (err as Error).message },
        "analytics plugins did not finish: their records are stored unchanged",
      );
    }
    this.pending -= batch.length;
    batch.forEach((w, i) => this.store(this.changed(w, outcomes?.[i]) ?? w.rec));
  }

  /** The record as its plugin left it, or undefined when it did not change it (or left something unusable). */
  private changed(w: Waiting, outcome: AnalyticsOutcome | undefined): AnalyticsRecord | undefined {
    if (outcome?.changed === undefined) return undefined;
    const parsed = AnalyticsRecordSchema.safeParse(JSON.parse(outcome.changed));
    if (parsed.success) return parsed.data;
    this.opts.log.error(
      { api_id: w.rec.api_id, plugin: w.plugin.path, symbol: w.plugin.symbol, err: parsed.error.message },
      "analytics record left unchanged: the plugin's record cannot be read",
    );
    return undefined;
  }

  private store(rec: AnalyticsRecord): void {
    this.opts.sink.write(finishRecord(rec, this.opts.hashKeys));
  }
}
