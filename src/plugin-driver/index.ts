// Loads plugins and runs them on requests so that a plugin never stalls the
// gateway, while a fast one costs no more than a direct FFI call. Everything
// a plugin logs, and every panic, goes to the gateway's log here.
//
// Every run goes to a worker goroutine in the shim and completes through the
// shim's thread-safe callback; the JavaScript thread never runs plugin code
// and never waits for it, so a plugin that blocks (even one that was fast a
// thousand times before) never holds the event loop, and plugin_timeout_ms
// can always fire. (Waiting for fast runs on this thread was measured: on
// this kind of machine every form of it cost throughput; see shim-go/async.go.)

import { type HookKind, Kind } from "../../ffi/abi.ts";
import { type AnalyticsOutcome, type Shim, ShimCallError } from "../../ffi/shim.ts";
import type { HookRun, LogRecord, RunRequest, RunResult } from "../../ffi/wire.ts";
import { logAt, type Logger } from "../log.ts";

/** A plugin symbol loaded into the shim. */
export interface LoadedPlugin {
  readonly handle: number;
  readonly path: string;
  readonly symbol: string;
  readonly kind: HookKind;
}

export type PluginLoad = { ok: true; plugin: LoadedPlugin } | { ok: false; error: string };

/**
 * Where Tyk applies the session's policies, inside a run of hooks: Go goes on past it when the session names none
 * (normalising it in place as Tyk does), else the run stops there (RunResult.gated). See HookCall.policiesGate.
 */
export interface PoliciesGate {
  readonly policiesGate: true;
}

/** What a run executes in order: hooks, and the policies gates between them. */
export type RunStep = LoadedPlugin | PoliciesGate;

export const isGate = (s: RunStep): s is PoliciesGate => "policiesGate" in s;

/** The hooks among `steps`, in order: what a run's result reports on (RunResult.hooks), gates left out. */
export const hooksOf = (steps: readonly RunStep[]): LoadedPlugin[] => steps.filter((s): s is LoadedPlugin => !isGate(s));

/** A run as the driver hands it back: see Shim.run. */
export interface DriverRun {
  request: number;
  result: Promise<RunResult>;
}

/** A record for its API's analytics plugin (see PluginDriver.runAnalytics). */
export interface AnalyticsItem {
  plugin: LoadedPlugin;
  apiId: string;
  /** The record as Tyk Pump's JSON. */
  record: string;
}

/** The reason of a run abandoned because its client left. */
export const CLIENT_GONE = "the client closed the request";

/** Where a run happens, for log records. */
export interface RunContext {
  apiId: string;
  requestId: string;
}

/** How often pending runs are checked for their deadline and their client (ms): the precision of plugin_timeout_ms. */
const WATCHDOG_TICK_MS = 10;

/** A run the watchdog looks after. */
interface Watched {
  deadline: number;
  timeoutMs: number;
  signal?: AbortSignal;
  abandon: (reason: string) => void;
}

export class PluginDriver {
  private readonly watched = new Set<Watched>();
  private watchdog: ReturnType<typeof setInterval> | undefined;

  constructor(readonly shim: Shim, private readonly log: Logger) {}

  /**
   * Loads `symbol` of the plugin at `path`. Waits at most `initTimeoutMs` for
   * the plugin's init (the shim's default when absent); a failed load, or an
   * init still running then, is `ok: false` with the reason, and the same
   * build is never opened twice (see shim.h).
   */
  load(path: string, symbol: string, kind: HookKind = Kind.REQUEST, initTimeoutMs?: number): PluginLoad {
    const res = this.shim.loadPlugin(path, symbol, kind, initTimeoutMs);
    this.drainLogs();
    if (!res.ok) return res;
    return { ok: true, plugin: { handle: res.handle, path: res.path, symbol: res.symbol, kind } };
  }

  /**
   * Runs `steps` in order on a request (opening it when `request` is 0; see
   * Shim.run), logging what each hook logged and any panic. A run not done
   * within `timeoutMs`, or whose client leaves (`signal`), is abandoned: its
   * promise rejects with CallAbandonedError (`clientGone` says which).
   * Throws ShimCallError when the shim refuses the run.
   */
  run(
    api: number,
    request: number,
    req: Omit<RunRequest, "hooks">,
    steps: readonly RunStep[],
    where: RunContext,
    timeoutMs: number,
    signal?: AbortSignal,
  ): DriverRun {
    const hooks = steps.map((s) => (isGate(s) ? { plugin: 0, policiesGate: true } : { plugin: s.handle }));
    const frame: RunRequest = { ...req, hooks };
    const plugins = hooksOf(steps);
    const run = this.shim.run(api, request, frame);
    const watched: Watched = { deadline: performance.now() + timeoutMs, timeoutMs, signal, abandon: run.abandon };
    this.watch(watched);
    const result = run.result.then(
      (r) => (this.watched.delete(watched), this.report(plugins, where, r)),
      (err) => {
        this.watched.delete(watched);
        throw err;
      },
    );
    return { request: run.request, result };
  }

  /**
   * Runs each item's analytics plugin on its record on a Go worker, as hooks
   * run, logging what each plugin logged, any panic, and any record its
   * plugin could not be given, whenever the batch ends. Resolves with one
   * outcome per item, in order, once every plugin has returned: the batch is
   * never abandoned, so the caller knows how many are still in Go (see
   * analytics/recorder.ts) and decides how long to wait. Rejects with
   * ShimCallError when the shim refuses the batch.
   */
  runAnalytics(items: readonly AnalyticsItem[]): Promise<AnalyticsOutcome[]> {
    return this.shim.runAnalytics(items.map((i) => ({ plugin: i.plugin.handle, record: i.record }))).then((outcomes) => {
      outcomes.forEach((o, i) => {
        const at = { api_id: items[i].apiId, plugin: items[i].plugin.path, symbol: items[i].plugin.symbol };
        for (const rec of o.logs) this.emit(rec, at);
        if (o.panic) this.log.error({ ...at, stack: o.panic.stack }, `analytics plugin panicked: ${o.panic.message}`);
        if (o.refused) this.log.error(at, `analytics record left unchanged: ${o.refused}`);
      });
      return outcomes;
    });
  }

  /**
   * Runs past their deadline or whose client left are abandoned by one
   * watchdog tick for all of them: a timer and an abort listener per run
   * cost more than the rest of the run on the event loop.
   */
  private watch(w: Watched): void {
    this.watched.add(w);
    this.watchdog ??= setInterval(() => {
      const now = performance.now();
      for (const run of this.watched) {
        if (run.signal?.aborted) run.abandon(CLIENT_GONE);
        else if (now >= run.deadline) run.abandon(`plugin call timed out after ${run.timeoutMs} ms`);
        else continue;
        this.watched.delete(run);
      }
      if (this.watched.size === 0) {
        clearInterval(this.watchdog);
        this.watchdog = undefined;
      }
    }, WATCHDOG_TICK_MS);
  }

  /**
   * The session of a request's Go twin as it is now, as JSON (see
   * Shim.requestSession); undefined when it has none or cannot be read now
   * (a timed-out run still holds it): the gateway then keeps the one it knew.
   */
  session(request: number): string | undefined {
    try {
      return this.shim.requestSession(request);
    } catch (err) {
      if (err instanceof ShimCallError) return undefined;
      throw err;
    }
  }

  /** Ends a request's Go twin (see Shim.releaseRequest); 0 is no request. */
  release(request: number): void {
    if (request !== 0) this.shim.releaseRequest(request);
  }

  /** Logs written outside any call: plugin init, background goroutines. */
  drainLogs(): void {
    for (const rec of this.shim.drainLogs()) this.emit(rec, { plugin: rec.plugin || undefined });
  }

  private report(plugins: readonly LoadedPlugin[], where: RunContext, r: RunResult): RunResult {
    r.hooks.forEach((run: HookRun, i) => {
      if (run.logs.length === 0 && !run.panic) return;
      const p = plugins[i];
      const at = { api_id: where.apiId, request_id: where.requestId, plugin: p.path, symbol: p.symbol };
      for (const rec of run.logs) this.emit(rec, at);
      if (run.panic) this.log.error({ ...at, stack: run.panic.stack }, `plugin panicked: ${run.panic.message}`);
    });
    return r;
  }

  private emit(rec: LogRecord, where: Record<string, unknown>): void {
    logAt(this.log, rec.level, { ...rec.fields, ...where, source: "plugin", plugin_time: rec.timeMs }, rec.msg);
  }
}
