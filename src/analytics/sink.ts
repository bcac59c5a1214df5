// Where analytics records go. The request path only queues (write is O(1) and never waits on I/O); records reach
// their destination in batches on a timer, when a batch fills, and on close. A Redis sink that RPUSHes msgpack batches
// to `tyk-system-analytics` for Tyk Pump fits the same interface. Note for it: Tyk msgpack-encodes the Go struct, whose
// keys are the Go field names (Method, APIKey, TimeStamp...), not the JSON names used here.
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { clearInterval, setInterval } from "node:timers";
import type { AnalyticsRecord } from "./record.ts";
import { BoundedQueue } from "./queue.ts";

export interface AnalyticsSink {
  /** Queues a record. Never blocks or throws. */
  write(rec: AnalyticsRecord): void;
  /** Resolves once every record written before the call has been persisted or counted as failed. Never rejects. */
  flush(): Promise<void>;
  /** Flushes, then releases the destination. Records written after close() are dropped. Idempotent. */
  close(): Promise<void>;
}

export interface SinkStats {
  /** Records persisted. */
  written: number;
  /** Records discarded unpersisted: the oldest, when the buffer was full, and any written after close(). */
  dropped: number;
  /** Records lost because the destination failed (open or write error). */
  failed: number;
  /** Records waiting for the next flush. */
  buffered: number;
}

/**
 * Where JsonlFileSink's batches go: a file (AppendFile), or, in a worker process, the supervisor, which appends
 * every worker's batches to the one file itself.
 */
export interface LineDestination {
  /** Appends `text`, whole lines, after everything appended before; rejects when it could not. */
  append(text: string): Promise<void>;
  /** Releases the destination once appends have settled. */
  close(): Promise<void>;
}

/**
 * A file text is appended to, opened on first use (and again after a failure to open it). Appends run one after
 * another in call order, so the file has one writer here and every append lands whole, after the ones before.
 */
export class AppendFile implements LineDestination {
  private handle: Promise<FileHandle> | undefined;
  private tail: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  append(text: string): Promise<void> {
    const run = this.tail.then(() => this.write(text));
    this.tail = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    await this.tail;
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle).close();
  }

  private async write(text: string): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await (this.handle ??= open(this.path, "a"));
    } catch (err) {
      this.handle = undefined;
      throw err;
    }
    await fh.appendFile(text);
  }
}

export interface JsonlFileSinkOptions {
  /** How often buffered records are written; default 1000 ms (Tyk's forced analytics flush interval). */
  flushIntervalMs?: number;
  /** Most records held in memory; past it the oldest are dropped. Default 10000. */
  maxBuffered?: number;
  /** Start a write as soon as this many records wait, without waiting for the timer. Default 1000. */
  batchSize?: number;
  /** Told of each open/write failure; the records involved are counted in `failed`. */
  onError?: (err: unknown) => void;
  /** Where the lines go instead of appending to `path` here. */
  destination?: LineDestination;
}

/** Appends one JSON object per line to a file. */
export class JsonlFileSink implements AnalyticsSink {
  private readonly buffer: BoundedQueue<AnalyticsRecord>;
  private readonly batchSize: number;
  private readonly onError: (err: unknown) => void;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly destination: LineDestination;
  // Flushes run one after another on this chain, so lines keep their order and the file has one writer.
  private chain: Promise<void> = Promise.resolve();
  private flushesQueued = 0;
  private closing: Promise<void> | undefined;
  private written = 0;
  private dropped = 0;
  private failed = 0;

  constructor(readonly path: string, opts: JsonlFileSinkOptions = {}) {
    this.buffer = new BoundedQueue(Math.max(1, opts.maxBuffered ?? 10_000));
    this.batchSize = Math.max(1, opts.batchSize ?? 1000);
    this.onError = opts.onError ?? (() => {});
    this.destination = opts.destination ?? new AppendFile(path);
    this.timer = setInterval(() => this.flushIfIdle(), opts.flushIntervalMs ?? 1000);
    // A pending analytics flush must not keep the process alive; close() does the final write.
    this.timer.unref();
  }

  write(rec: AnalyticsRecord): void {
    if (this.closing) {
      this.dropped++;
      return;
    }
    if (this.buffer.push(rec)) this.dropped++;
    if (this.buffer.size >= this.batchSize) this.flushIfIdle();
  }

  flush(): Promise<void> {
    this.flushesQueued++;
    this.chain = this.chain.then(() => this.writeBatch());
    return this.chain;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  stats(): SinkStats {
    return { written: this.written, dropped: this.dropped, failed: this.failed, buffered: this.buffer.size };
  }

  // While a write is under way new records stay buffered (and the oldest drop if the disk cannot keep up) instead of
  // queueing one flush per tick.
  private flushIfIdle(): void {
    if (this.flushesQueued === 0 && this.buffer.size > 0) void this.flush();
  }

  private async writeBatch(): Promise<void> {
    try {
      const batch = this.buffer.take(this.buffer.size);
      if (batch.length === 0) return;
      let text = "";
      // collection_name stays out, as Pump's JSON leaves CollectionName out.
      for (const rec of batch) {
        text += JSON.stringify(rec.collection_name === undefined ? rec : { ...rec, collection_name: undefined }) + "\n";
      }
      try {
        await this.destination.append(text);
        this.written += batch.length;
      } catch (err) {
        this.fail(batch.length, err);
      }
    } finally {
      this.flushesQueued--;
    }
  }

  private fail(records: number, err: unknown): void {
    this.failed += records;
    this.onError(err);
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    try {
      await this.destination.close();
    } catch (err) {
      this.onError(err);
    }
  }
}
