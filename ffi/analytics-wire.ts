// Analytics frames, mirroring shim-go/analytics.go (the layout is documented
// there): a batch of records, each with the analytics plugin to run on it,
// and what each plugin did.

import { decodeLogs, FrameReader, type FrameWriter, type LogRecord } from "./wire.ts";

/** One record to run an analytics plugin on. */
export interface AnalyticsCall {
  /** The handle of a plugin loaded as Kind.ANALYTICS. */
  plugin: number;
  /** The record as Tyk Pump's JSON (plus `collection_name`, see shim-go/analytics.go). */
  record: string;
}

/** What one record's plugin did. */
export interface AnalyticsOutcome {
  /** Execution time as measured in Go, in nanoseconds. */
  execNs: number;
  /** Why the record could not be given to its plugin (it is unchanged). */
  refused?: string;
  /** The plugin panicked: its changes are dropped. */
  panic?: { message: string; stack: string };
  logs: LogRecord[];
  /** The record as the plugin left it (JSON as sent), only when the plugin changed it. */
  changed?: string;
}

const REC_CHANGED = 1 << 0, REC_PANICKED = 1 << 1, REC_LOGS = 1 << 2, REC_REFUSED = 1 << 3;

export function encodeAnalytics(w: FrameWriter, calls: readonly AnalyticsCall[]): Uint8Array {
  w.reset();
  w.u32(calls.length);
  for (const c of calls) {
    w.u32(c.plugin);
    w.str(c.record);
  }
  return w.frame();
}

export function decodeAnalytics(buf: Uint8Array): AnalyticsOutcome[] {
  const r = new FrameReader(buf);
  const n = r.u32();
  const out: AnalyticsOutcome[] = [];
  for (let i = 0; i < n; i++) {
    const o: AnalyticsOutcome = { execNs: r.f64(), logs: [] };
    const flags = r.u32();
    if (flags & REC_REFUSED) o.refused = r.str();
    if (flags & REC_PANICKED) o.panic = { message: r.str(), stack: r.str() };
    if (flags & REC_LOGS) o.logs = decodeLogs(r);
    if (flags & REC_CHANGED) o.changed = r.str();
    out.push(o);
  }
  return out;
}
