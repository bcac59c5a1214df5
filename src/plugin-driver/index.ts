// Loads plugins and runs their calls so that a plugin never stalls the
// gateway, while a fast one costs no more than a direct FFI call. Everything
// a plugin logs, and every panic, goes to the gateway's log here.
//
// Why adaptive: handing a call to a goroutine and back costs ~15-20 us on
// this kind of machine (a cross-thread wake-up each way), several times a
// direct call. So each plugin symbol is first run on goroutines for a few
// probe calls; if every probe finishes within the inline budget, later calls
// run inline on the JS thread. An inline call that clearly blocked (over ten
// budgets) sends the symbol back to goroutines at once; smaller overruns must
// repeat (3 within 64 calls) before they do, since on a loaded machine a fast
// plugin's thread is sometimes descheduled mid-call, and demoting it then
// would cost ~15 us on every call for nothing. A long streak of quick calls on
// goroutines brings a symbol inline again. The cost: a plugin that is fast on
// its probes but later blocks stalls the event loop for that one call.

import { type HookKind, Kind } from "../../ffi/abi.ts";
import type { CallOutcome, Shim } from "../../ffi/shim.ts";
import type { CallRequest, LogRecord } from "../../ffi/wire.ts";
import { logAt, type Logger } from "../log.ts";

export interface PluginDriverOptions {
  /** Longest plugin run (ns) still allowed on the JS thread. Default 1 ms. */
  inlineBudgetNs?: number;
  /** Async calls measured before a symbol may run inline. Default 4. */
  probeCalls?: number;
  /** Quick async calls in a row that bring a demoted symbol back inline. Default 256. */
  promoteAfter?: number;
}

export type CallMode = "probe" | "inline" | "async";

export interface PluginCallStats {
  mode: CallMode;
  inlineCalls: number;
  asyncCalls: number;
  demotions: number;
}

/** A plugin symbol loaded into the shim. */
export interface LoadedPlugin {
  readonly handle: number;
  readonly path: string;
  readonly symbol: string;
  readonly kind: HookKind;
}

export type PluginLoad = { ok: true; plugin: LoadedPlugin } | { ok: false; error: string };

interface SymbolState extends PluginCallStats {
  quickStreak: number;
  /** Inline calls since the last demotion, and the call numbers of recent small overruns. */
  inlineSeq: number;
  overruns: number[];
}

const HARD_OVERRUN = 10;
const SOFT_OVERRUNS = 3;
const SOFT_WINDOW = 64;

export class PluginDriver {
  private readonly states = new Map<number, SymbolState>();
  private readonly budget: number;
  private readonly probeCalls: number;
  private readonly promoteAfter: number;

  constructor(readonly shim: Shim, private readonly log: Logger, options: PluginDriverOptions = {}) {
    this.budget = options.inlineBudgetNs ?? 1_000_000;
    this.probeCalls = options.probeCalls ?? 4;
    this.promoteAfter = options.promoteAfter ?? 256;
  }

  load(path: string, symbol: string, kind: HookKind = Kind.REQUEST): PluginLoad {
    const res = this.shim.loadPlugin(path, symbol, kind);
    this.drainLogs();
    if (!res.ok) return res;
    return { ok: true, plugin: { handle: res.handle, path: res.path, symbol: res.symbol, kind } };
  }

  stats(plugin: LoadedPlugin): PluginCallStats {
    const { mode, inlineCalls, asyncCalls, demotions } = this.state(plugin.handle);
    return { mode, inlineCalls, asyncCalls, demotions };
  }

  /**
   * Calls a plugin. A call running off-thread is abandoned after `timeoutMs`
   * (its promise rejects with CallAbandonedError); an inline call cannot be
   * interrupted, and is answered within the inline budget anyway. A panic
   * comes back as status "panic", already logged.
   */
  call(plugin: LoadedPlugin, api: number, apiId: string, req: CallRequest, timeoutMs?: number): CallOutcome | Promise<CallOutcome> {
    const st = this.state(plugin.handle);
    if (st.mode === "inline") {
      st.inlineCalls++;
      st.inlineSeq++;
      const out = this.shim.callInline(plugin.handle, api, req);
      if (out.result.execNs > this.budget && this.overran(st, out.result.execNs)) {
        st.mode = "async";
        st.demotions++;
        st.quickStreak = 0;
        st.overruns = [];
      }
      return this.report(plugin, apiId, out);
    }
    st.asyncCalls++;
    const signal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    return this.shim.callAsync(plugin.handle, api, req, signal).then((out) => {
      this.observe(st, out.result.execNs);
      return this.report(plugin, apiId, out);
    });
  }

  /** Logs written outside any call: plugin init, background goroutines. */
  drainLogs(): void {
    for (const rec of this.shim.drainLogs()) this.emit(rec, { plugin: rec.plugin || undefined });
  }

  private report(plugin: LoadedPlugin, apiId: string, out: CallOutcome): CallOutcome {
    if (out.result.logs.length === 0 && out.status === "ok") return out;
    const where = { api_id: apiId, plugin: plugin.path, symbol: plugin.symbol };
    for (const rec of out.result.logs) this.emit(rec, where);
    if (out.status === "panic") {
      this.log.error({ ...where, stack: out.result.panic?.stack }, `plugin panicked: ${out.result.panic?.message}`);
    }
    return out;
  }

  private emit(rec: LogRecord, where: Record<string, unknown>): void {
    logAt(this.log, rec.level, { ...rec.fields, ...where, source: "plugin", plugin_time: rec.timeMs }, rec.msg);
  }

  /** Whether an inline overrun should send the symbol to goroutines. */
  private overran(st: SymbolState, execNs: number): boolean {
    if (execNs > HARD_OVERRUN * this.budget) return true;
    const seq = st.inlineSeq;
    st.overruns = st.overruns.filter((n) => seq - n < SOFT_WINDOW);
    st.overruns.push(seq);
    return st.overruns.length >= SOFT_OVERRUNS;
  }

  private observe(st: SymbolState, execNs: number): void {
    if (execNs > this.budget) {
      st.quickStreak = 0;
      if (st.mode === "probe") st.mode = "async";
      return;
    }
    st.quickStreak++;
    const needed = st.mode === "probe" ? this.probeCalls : this.promoteAfter;
    if (st.quickStreak >= needed) st.mode = "inline";
  }

  private state(handle: number): SymbolState {
    let st = this.states.get(handle);
    if (!st) {
      st = { mode: "probe", inlineCalls: 0, asyncCalls: 0, demotions: 0, quickStreak: 0, inlineSeq: 0, overruns: [] };
      this.states.set(handle, st);
    }
    return st;
  }
}
