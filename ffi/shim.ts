// The shim as the gateway uses it: typed calls over the raw binding, reusable
// buffers, the ABI check at load, and async calls resolved by the completion
// callback. Runtime-neutral: the binding is injected (ffi/deno.ts, ffi/bun.ts).

import { type HookKind, Kind, type OpenRawShim, type RawSymbols, SHIM_ABI_VERSION, Status, statusName } from "./abi.ts";
import { clearTimeout, setTimeout } from "node:timers";
import { ShimLoadError } from "./errors.ts";
import { decodeLogs, decodeRun, encodeRun, FrameReader, FrameWriter, type LogRecord, type RunRequest, type RunResult } from "./wire.ts";
import { type AnalyticsCall, type AnalyticsOutcome, decodeAnalytics, encodeAnalytics } from "./analytics-wire.ts";

export { Kind } from "./abi.ts";
export type { HookKind } from "./abi.ts";
export type { AnalyticsCall, AnalyticsOutcome } from "./analytics-wire.ts";

export class ShimCallError extends Error {
  override name = "ShimCallError";
  /** `request`: the request handle the failed run had, if any (still to be released). */
  constructor(message: string, readonly status: number, readonly request = 0) {
    super(message);
  }
}

export class CallAbandonedError extends Error {
  override name = "CallAbandonedError";
}

export interface ShimInfo {
  abi: number;
  go: string;
  module: string;
  deps: Array<{ path: string; version: string; sum: string; replace?: string; replaceVersion?: string }>;
  settings: Record<string, string>;
}

export interface PluginCheckReport {
  ok: boolean;
  path: string;
  goVersion?: string;
  module?: string;
  problems: string[];
}

export type LoadResult =
  | { ok: true; handle: number; path: string; symbol: string }
  | { ok: false; error: string };

/**
 * A run on a request handle: `request` is the handle, `result` the run's
 * result when it ends; `abandon` gives up on it (the promise rejects with
 * CallAbandonedError and the result is dropped when the run ends).
 */
export interface Run {
  request: number;
  result: Promise<RunResult>;
  abandon: (reason: string) => void;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** A handed-off call waiting for its result: a run of hooks on a request, or a batch of analytics records. */
interface Waiter {
  /** Decodes the result frame and settles the call's promise with it. */
  resolve(frame: Uint8Array): void;
  reject(e: Error): void;
  /** The request handle of a run (0 for analytics). */
  request: number;
  /** The export that took the call, for errors. */
  what: string;
}

export class Shim {
  private readonly sym: RawSymbols;
  private readonly writer = new FrameWriter();
  private out = new Uint8Array(64 * 1024);
  private readonly outLen = new Uint32Array(1);
  private readonly handle = new Uint32Array(1);
  private readonly requestOut = new Uint32Array(1);
  /** Results of ended runs, taken in batches (shim_completions_take); separate from `out`, which a too-large one is fetched into. */
  private readonly results = new Uint8Array(256 * 1024);
  private readonly resultsView = new DataView(this.results.buffer);
  /** Requests that ended, released in the shim together on the next entry into Go (or within a few ms). */
  private toRelease = new Uint32Array(64);
  private toReleaseCount = 0;
  private releaseTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingFlag = false;
  /** Runs were accepted this turn: they start together at the end of it (startRuns). */
  private startQueued = false;
  private readonly startRuns = () => {
    this.startQueued = false;
    this.sym.shim_runs_start(this.toRelease, this.toReleaseCount);
    this.releasesSent();
  };
  private nextCallId = 1;
  private readonly waiters = new Map<number, Waiter>();

  private constructor(private readonly raw: ReturnType<OpenRawShim>, readonly path: string) {
    this.sym = raw.symbols;
  }

  /** Opens the shim library and checks its ABI version before anything else. */
  static open(openRaw: OpenRawShim, path: string, options: { logLevel?: string } = {}): Shim {
    let shim: Shim | undefined;
    const raw = openRaw(path, () => shim?.takeCompletions());
    const got = raw.symbols.shim_abi_version();
    if (got !== SHIM_ABI_VERSION) {
      throw new ShimLoadError(
        `shim ${path} has ABI version ${got}, but this gateway expects ${SHIM_ABI_VERSION}: rebuild the shim (npm run build:shim)`,
      );
    }
    shim = new Shim(raw, path);
    const level = utf8.encode(options.logLevel ?? "info");
    shim.check(raw.symbols.shim_init(null, level, level.length), "init");
    return shim;
  }

  /** The cheapest call into Go there is: the floor every other call is measured against. */
  abiVersion(): number {
    return this.sym.shim_abi_version();
  }

  info(): ShimInfo {
    return JSON.parse(this.text(this.answer((out, cap, len) => this.sym.shim_info(out, cap, len))));
  }

  /** Loads a plugin's symbol (see shim.h); waits at most `initTimeoutMs` (shim default: 30 s) for the plugin's init. */
  loadPlugin(path: string, symbol: string, kind: HookKind = Kind.REQUEST, initTimeoutMs?: number): LoadResult {
    const req = utf8.encode(JSON.stringify({ path, symbol, kind, init_timeout_ms: initTimeoutMs }));
    const [status, body] = this.answerWithStatus((out, cap, len) =>
      this.sym.shim_plugin_load(req, req.length, this.handle, out, cap, len)
    );
    if (status === Status.E_LOAD) return { ok: false, error: this.text(body) };
    this.check(status, "plugin_load", body);
    const facts = JSON.parse(this.text(body));
    return { ok: true, handle: this.handle[0], path: facts.path, symbol: facts.symbol };
  }

  checkPlugin(path: string): PluginCheckReport {
    const req = utf8.encode(path);
    return JSON.parse(this.text(this.answer((out, cap, len) => this.sym.shim_plugin_check(req, req.length, out, cap, len))));
  }

  /** Parses an API definition into Tyk's Go types once; calls refer to it by handle. */
  registerApi(kind: "classic" | "oas", definition: unknown): number {
    const req = utf8.encode(JSON.stringify({ kind, definition }));
    const [status, body] = this.answerWithStatus((out, cap, len) =>
      this.sym.shim_api_register(req, req.length, this.handle, out, cap, len)
    );
    this.check(status, "api_register", body);
    return this.handle[0];
  }

  releaseApi(api: number): void {
    this.sym.shim_api_release(api);
  }

  /**
   * Runs hooks on a request, on a Go worker: opens it when `request` is 0
   * (`req.open` must be set), else works on the open one. Never waits for
   * the plugins: the runs accepted in one turn of the event loop start
   * together when its microtasks run (shim_runs_start), with the requests
   * ended meanwhile released. Throws ShimCallError when the shim refuses the
   * handle or the kind of frame at once; `result` rejects with one
   * (E_BAD_INPUT) when the frame cannot be applied. Either error's `request`
   * is the handle to release, if one was opened.
   */
  run(api: number, request: number, req: RunRequest): Run {
    const frame = encodeRun(this.writer, req);
    const id = this.callId();
    this.requestOut[0] = request;
    const status = this.sym.shim_request_run(api, request, id, frame, frame.length, this.requestOut, this.out, this.out.length, this.outLen);
    const handle = this.requestOut[0];
    if (status !== Status.PENDING) {
      throw new ShimCallError(`shim_request_run: ${statusName(status)}: ${this.text(this.out.subarray(0, this.outLen[0]))}`, status, handle);
    }
    if (!this.startQueued) {
      this.startQueued = true;
      queueMicrotask(this.startRuns);
    }
    return { request: handle, ...this.pending(id, handle, "shim_request_run", decodeRun) };
  }

  /**
   * Runs each record's analytics plugin on it, on a Go worker (see shim.h);
   * never waits for the plugins. Resolves with one outcome per call, in
   * order, when the batch ends; rejects with ShimCallError when the shim
   * refuses the batch (E_BUSY: too many stuck runs).
   */
  runAnalytics(calls: readonly AnalyticsCall[]): Promise<AnalyticsOutcome[]> {
    const frame = encodeAnalytics(this.writer, calls);
    const id = this.callId();
    const status = this.sym.shim_analytics_run(id, frame, frame.length, this.out, this.out.length, this.outLen);
    if (status !== Status.PENDING) {
      const why = this.text(this.out.subarray(0, this.outLen[0]));
      return Promise.reject(new ShimCallError(`shim_analytics_run: ${statusName(status)}: ${why}`, status));
    }
    return this.pending(id, 0, "shim_analytics_run", decodeAnalytics).result;
  }

  /**
   * Ends a request in the shim (see shim.h). Released with the next start of
   * runs, or within 5 ms when none comes: each entry costs a few
   * microseconds (the thread has to get a Go processor back), so ended
   * requests are released together.
   */
  releaseRequest(request: number): void {
    if (this.toReleaseCount === this.toRelease.length) {
      const grown = new Uint32Array(this.toRelease.length * 2);
      grown.set(this.toRelease);
      this.toRelease = grown;
    }
    this.toRelease[this.toReleaseCount++] = request;
    if (this.releaseTimer === undefined) {
      this.releaseTimer = setTimeout(() => this.flushReleases(), 5);
      this.releaseTimer.unref();
    }
  }

  /**
   * The session of an open request as it is now (Tyk's user.SessionState
   * JSON), or undefined when it has none. Throws ShimCallError while a run is
   * going on it (E_BAD_STATE) or when the handle is not open (E_GONE).
   */
  requestSession(request: number): string | undefined {
    const [status, body] = this.answerWithStatus((out, cap, len) => this.sym.shim_request_session(request, out, cap, len));
    this.check(status, "request_session", body);
    return body.length > 0 ? this.text(body) : undefined;
  }

  /** Request handles alive in the shim: open, or released with a run still going. */
  openRequests(): number {
    this.flushReleases();
    return this.sym.shim_requests_open();
  }

  private flushReleases(): void {
    if (this.toReleaseCount === 0) return;
    this.sym.shim_requests_release(this.toRelease, this.toReleaseCount);
    this.releasesSent();
  }

  private releasesSent(): void {
    this.toReleaseCount = 0;
    clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
  }

  private pending<T>(id: number, request: number, what: string, decode: (frame: Uint8Array) => T): { result: Promise<T>; abandon: (reason: string) => void } {
    let abandon: (reason: string) => void = () => {};
    const result = new Promise<T>((resolve, reject) => {
      this.waiters.set(id, { resolve: (frame) => resolve(decode(frame)), reject, request, what });
      abandon = (reason) => {
        if (!this.waiters.delete(id)) return;
        this.sym.shim_call_abandon(id);
        this.updatePending();
        reject(new CallAbandonedError(reason));
      };
    });
    this.updatePending();
    return { result, abandon };
  }

  /** Log records written outside any call (plugin init, background goroutines). */
  drainLogs(): LogRecord[] {
    return decodeLogs(new FrameReader(this.answer((out, cap, len) => this.sym.shim_logs_drain(out, cap, len))));
  }

  get pendingCalls(): number {
    return this.waiters.size;
  }

  /** Settles every handed-off run the shim has queued as ended. */
  private takeCompletions(): void {
    for (;;) {
      const status = this.sym.shim_completions_take(this.results, this.results.length, this.outLen);
      const end = this.outLen[0];
      for (let off = 0; off + 12 <= end;) {
        const id = this.resultsView.getUint32(off, true);
        const st = this.resultsView.getInt32(off + 4, true);
        const len = this.resultsView.getUint32(off + 8, true);
        off += 12;
        if (st === Status.E_BUFFER) this.complete(id, this.takeParked(id, len), this.out.subarray(0, this.outLen[0]));
        else {
          this.complete(id, st, this.results.subarray(off, off + len));
          off += len;
        }
      }
      if (status !== Status.E_BUFFER) return;
    }
  }

  private complete(id: number, status: number, body: Uint8Array): void {
    const waiter = this.waiters.get(id);
    if (!waiter) return;
    this.waiters.delete(id);
    this.updatePending();
    if (status === Status.OK) waiter.resolve(body);
    else waiter.reject(new ShimCallError(`${waiter.what}: ${statusName(status)}: ${this.text(body)}`, status, waiter.request));
  }

  /** Tells the binding only when "any run pending" flips: Deno's ref/unref count, so repeats would pile up. */
  private updatePending(): void {
    const pending = this.waiters.size > 0;
    if (pending === this.pendingFlag) return;
    this.pendingFlag = pending;
    this.raw.setPending(pending);
  }

  /** Fetches a result too large for the batch buffer into `out`, grown to `size`. */
  private takeParked(id: number, size: number): number {
    this.grow(size);
    return this.sym.shim_result_take(id, this.out, this.out.length, this.outLen);
  }

  private callId(): number {
    const id = this.nextCallId;
    this.nextCallId = id >= 0xffff_fffe ? 1 : id + 1;
    return id;
  }

  private grow(size: number): void {
    let n = this.out.length;
    while (n < size) n *= 2;
    this.out = new Uint8Array(n);
  }

  /** Runs an export that answers into the out buffer, growing it once if needed. */
  private answerWithStatus(fn: (out: Uint8Array, cap: number, len: Uint32Array) => number): [number, Uint8Array] {
    let status = fn(this.out, this.out.length, this.outLen);
    if (status === Status.E_BUFFER) {
      this.grow(this.outLen[0]);
      status = fn(this.out, this.out.length, this.outLen);
    }
    return [status, this.out.slice(0, this.outLen[0])];
  }

  private answer(fn: (out: Uint8Array, cap: number, len: Uint32Array) => number): Uint8Array {
    const [status, body] = this.answerWithStatus(fn);
    this.check(status, "call", body);
    return body;
  }

  private check(status: number, what: string, body?: Uint8Array): void {
    if (status !== Status.OK) {
      throw new ShimCallError(`shim_${what}: ${statusName(status)}${body?.length ? `: ${this.text(body)}` : ""}`, status);
    }
  }

  private text(b: Uint8Array): string {
    return utf8Decoder.decode(b);
  }
}
