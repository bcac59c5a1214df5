// Runs plugin calls so that a plugin never stalls the gateway while a fast
// one costs no more than a direct FFI call.
//
// Why adaptive: handing a call to a goroutine and back costs ~15-20 us (a
// cross-thread wake-up each way), about 100x a direct call. So each plugin
// symbol is first run on goroutines for a few probe calls; if every probe
// finishes within the inline budget, later calls run inline on the JS thread.
// An inline call that overruns the budget sends the symbol back to goroutines
// at once, and a long streak of quick calls there brings it inline again.
// The cost: a plugin that is fast on its probes but later blocks stalls the
// event loop for that one call.

import type { CallRequest } from "../../ffi/wire.ts";
import type { CallOutcome, Shim } from "../../ffi/shim.ts";

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

interface SymbolState extends PluginCallStats {
  quickStreak: number;
}

export class PluginDriver {
  private readonly states = new Map<number, SymbolState>();
  private readonly budget: number;
  private readonly probeCalls: number;
  private readonly promoteAfter: number;

  constructor(readonly shim: Shim, options: PluginDriverOptions = {}) {
    this.budget = options.inlineBudgetNs ?? 1_000_000;
    this.probeCalls = options.probeCalls ?? 4;
    this.promoteAfter = options.promoteAfter ?? 256;
  }

  stats(plugin: number): PluginCallStats {
    const { mode, inlineCalls, asyncCalls, demotions } = this.state(plugin);
    return { mode, inlineCalls, asyncCalls, demotions };
  }

  /** Calls a plugin; `signal` (e.g. a timeout) abandons a call running off-thread. */
  call(plugin: number, api: number, req: CallRequest, signal?: AbortSignal): CallOutcome | Promise<CallOutcome> {
    const st = this.state(plugin);
    if (st.mode === "inline") {
      st.inlineCalls++;
      const out = this.shim.callInline(plugin, api, req);
      if (out.result.execNs > this.budget) {
        st.mode = "async";
        st.demotions++;
        st.quickStreak = 0;
      }
      return out;
    }
    st.asyncCalls++;
    return this.shim.callAsync(plugin, api, req, signal).then((out) => {
      this.observe(st, out.result.execNs);
      return out;
    });
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

  private state(plugin: number): SymbolState {
    let st = this.states.get(plugin);
    if (!st) {
      st = { mode: "probe", inlineCalls: 0, asyncCalls: 0, demotions: 0, quickStreak: 0 };
      this.states.set(plugin, st);
    }
    return st;
  }
}
