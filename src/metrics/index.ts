// In-process metrics rendered in the Prometheus text exposition format 0.0.4, without a client library.
//
// Go plugins are named as Tyk's Go plugin guide documents its instrumentation: the event
// "GoPluginMiddleware:<path>:<symbol>" (one per call) and the timing "GoPluginMiddleware:<path>:<symbol>.exec_time"
// in nanoseconds. Prometheus names cannot hold ':' '/' '.', so those names become the `mw_name` label (Tyk's own meta
// key for it). Tyk does not instrument response Go plugins and names them all "ResponseGoPluginMiddleware"; to tell
// them apart they get "ResponseGoPluginMiddleware:<path>:<symbol>" here.
//
// Plugin time is a histogram rather than a running ns total: a sum only yields the mean, and a plugin that is slow now
// and then (GC pause, lock, slow I/O in Go) shows in the tail. Its _count equals tyk_plugin_calls_total.
//
// Request latency follows Tyk Pump's Prometheus pump (tyk_latency{type="total|upstream|gateway"}), in seconds, with its
// buckets (1 ms to 60 s) plus three sub-millisecond ones, since gateway time is often below 1 ms.

import { z } from "zod";

export type PluginKind = "request" | "response";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

// deno-fmt-ignore
const PLUGIN_BUCKETS_S: readonly number[] = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];

// deno-fmt-ignore
const REQUEST_BUCKETS_S: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.007, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08,
  0.09, 0.1, 0.2, 0.3, 0.4, 0.5, 1, 2, 5, 10, 30, 60,
];

export interface HistogramSnapshot {
  /** Cumulative, as exposed: `count` observations were <= `le`. The last bucket is le = Infinity. */
  buckets: Array<{ le: number; count: number }>;
  count: number;
  sum: number;
}

export interface PluginSnapshot {
  kind: PluginKind;
  mwName: string;
  calls: number;
  failures: number;
  /** Total execution time in nanoseconds (Tyk's exec_time timing). */
  execNs: number;
  /** Seconds. */
  execTime: HistogramSnapshot;
}

export interface ApiSnapshot {
  apiId: string;
  /** Requests per response status code. */
  codes: Record<string, number>;
  /** Seconds, per latency type. */
  latency: { total: HistogramSnapshot; upstream: HistogramSnapshot; gateway: HistogramSnapshot };
}

export interface MetricsSnapshot {
  plugins: PluginSnapshot[];
  apis: ApiSnapshot[];
  /** Live Go request handles in the shim. */
  openRequests: number;
}

/** The supervisor's own figures, rendered after the workers' merged ones (plugin_gateway.workers > 1). */
export interface WorkerFigures {
  /** Workers serving now. */
  live: number;
  /** Workers started again after one died, since the gateway started. */
  restarts: number;
}

const histogramSchema = z.object({
  // JSON has no Infinity: the +Inf bucket's bound travels as null.
  buckets: z.array(z.object({ le: z.number().nullable().transform((v) => v ?? Infinity), count: z.number() })),
  count: z.number(),
  sum: z.number(),
});

/** A MetricsSnapshot that went through JSON (from a worker to the supervisor and back). */
export const metricsSnapshotSchema = z.object({
  plugins: z.array(z.object({
    kind: z.enum(["request", "response"]),
    mwName: z.string(),
    calls: z.number(),
    failures: z.number(),
    execNs: z.number(),
    execTime: histogramSchema,
  })),
  apis: z.array(z.object({
    apiId: z.string(),
    codes: z.record(z.string(), z.number()),
    latency: z.object({ total: histogramSchema, upstream: histogramSchema, gateway: histogramSchema }),
  })),
  openRequests: z.number(),
});

/** Tyk's middleware name for a Go plugin (see the header for the response case). */
export function pluginMwName(kind: PluginKind, path: string, symbol: string): string {
  return `${kind === "request" ? "GoPluginMiddleware" : "ResponseGoPluginMiddleware"}:${path}:${symbol}`;
}

/** Escapes a label value per the exposition format: backslash, double quote and newline. */
function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

class Histogram {
  // Per-bucket (not cumulative) counts, the last slot for +Inf; cumulated only when read.
  private readonly counts: Float64Array;
  count = 0;
  sum = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(v: number): void {
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]) i++;
    this.counts[i]++;
    this.count++;
    this.sum += v;
  }

  snapshot(): HistogramSnapshot {
    const buckets: Array<{ le: number; count: number }> = [];
    let acc = 0;
    for (let i = 0; i <= this.bounds.length; i++) {
      acc += this.counts[i];
      buckets.push({ le: i < this.bounds.length ? this.bounds[i] : Infinity, count: acc });
    }
    return { buckets, count: this.count, sum: this.sum };
  }

}

interface PluginSeries {
  kind: PluginKind;
  mwName: string;
  execNs: number;
  calls: number;
  failures: number;
  exec: Histogram;
}

type LatencyType = "total" | "upstream" | "gateway";
const LATENCY_TYPES: readonly LatencyType[] = ["total", "upstream", "gateway"];

interface ApiSeries {
  apiId: string;
  codes: Map<number, number>;
  latency: Record<LatencyType, Histogram>;
}

export class Metrics {
  private readonly plugins = new Map<string, PluginSeries>();
  private readonly apis = new Map<string, ApiSeries>();

  /** `openRequests`: the live request handles in the shim, read when rendering. */
  constructor(private readonly openRequests: () => number = () => 0) {}

  /** One Go plugin call. `failed`: it panicked or returned an error. */
  pluginCall(kind: PluginKind, path: string, symbol: string, execNs: number, failed: boolean): void {
    const mwName = pluginMwName(kind, path, symbol);
    let s = this.plugins.get(mwName);
    if (!s) {
      s = {
        kind,
        mwName,
        execNs: 0,
        calls: 0,
        failures: 0,
        exec: new Histogram(PLUGIN_BUCKETS_S),
      };
      this.plugins.set(mwName, s);
    }
    s.calls++;
    if (failed) s.failures++;
    s.execNs += execNs;
    s.exec.observe(execNs / 1e9);
  }

  /** One proxied request; gateway time is total - upstream. */
  request(apiId: string, status: number, totalMs: number, upstreamMs: number): void {
    let s = this.apis.get(apiId);
    if (!s) {
      s = {
        apiId,
        codes: new Map(),
        latency: {
          total: new Histogram(REQUEST_BUCKETS_S),
          upstream: new Histogram(REQUEST_BUCKETS_S),
          gateway: new Histogram(REQUEST_BUCKETS_S),
        },
      };
      this.apis.set(apiId, s);
    }
    s.codes.set(status, (s.codes.get(status) ?? 0) + 1);
    s.latency.total.observe(totalMs / 1000);
    s.latency.upstream.observe(upstreamMs / 1000);
    s.latency.gateway.observe(Math.max(0, totalMs - upstreamMs) / 1000);
  }

  render(): string {
    return renderMetrics(this.snapshot());
  }

  snapshot(): MetricsSnapshot {
    return {
      plugins: [...this.plugins.values()].map((s) => ({
        kind: s.kind,
        mwName: s.mwName,
        calls: s.calls,
        failures: s.failures,
        execNs: s.execNs,
        execTime: s.exec.snapshot(),
      })),
      apis: [...this.apis.values()].map((s) => ({
        apiId: s.apiId,
        codes: Object.fromEntries([...s.codes].map(([code, n]) => [String(code), n])),
        latency: {
          total: s.latency.total.snapshot(),
          upstream: s.latency.upstream.snapshot(),
          gateway: s.latency.gateway.snapshot(),
        },
      })),
      openRequests: this.openRequests(),
    };
  }
}

/**
 * The Prometheus text of a snapshot (one process's, or several merged with mergeSnapshots), with the supervisor's
 * own figures when there is one.
 */
export function renderMetrics(snap: MetricsSnapshot, workers?: WorkerFigures): string {
  const out: string[] = [];
  const mw = (name: string) => `mw_name="${escapeLabelValue(name)}"`;
  family(out, "tyk_plugin_calls_total", "counter", 'Go plugin calls (Tyk event "<mw_name>.executed").');
  for (const p of snap.plugins) out.push(`tyk_plugin_calls_total{${mw(p.mwName)}} ${p.calls}`);
  family(out, "tyk_plugin_exec_time_nanoseconds_total", "counter", 'Go plugin execution time in ns (Tyk timing "<mw_name>.exec_time").');
  for (const p of snap.plugins) out.push(`tyk_plugin_exec_time_nanoseconds_total{${mw(`${p.mwName}.exec_time`)}} ${Math.round(p.execNs)}`);
  family(out, "tyk_plugin_failures_total", "counter", "Go plugin calls that panicked or returned an error.");
  for (const p of snap.plugins) out.push(`tyk_plugin_failures_total{${mw(p.mwName)}} ${p.failures}`);
  family(
    out,
    "tyk_plugin_exec_time_seconds",
    "histogram",
    'Go plugin execution time (Tyk timing "<mw_name>.executed.exec_time", in ns there).',
  );
  for (const p of snap.plugins) renderHistogram(out, "tyk_plugin_exec_time_seconds", mw(p.mwName), p.execTime);

  family(out, "tyk_http_requests_total", "counter", "Proxied requests per API and response status code.");
  for (const a of snap.apis) {
    for (const [code, n] of Object.entries(a.codes)) out.push(`tyk_http_requests_total{api_id="${escapeLabelValue(a.apiId)}",code="${code}"} ${n}`);
  }
  family(out, "tyk_http_latency_seconds", "histogram", "Request latency per API: total, upstream and gateway.");
  for (const a of snap.apis) {
    for (const t of LATENCY_TYPES) renderHistogram(out, "tyk_http_latency_seconds", `api_id="${escapeLabelValue(a.apiId)}",type="${t}"`, a.latency[t]);
  }
  family(out, "tykgw_shim_requests_open", "gauge", "Live Go request handles in the shim (open, or released while a timed-out hook still runs).");
  out.push(`tykgw_shim_requests_open ${snap.openRequests}`);
  if (workers) {
    family(out, "tykgw_workers", "gauge", "Worker processes serving (plugin_gateway.workers).");
    out.push(`tykgw_workers ${workers.live}`);
    family(out, "tykgw_worker_restarts_total", "counter", "Workers started again after one died.");
    out.push(`tykgw_worker_restarts_total ${workers.restarts}`);
  }
  return out.join("\n") + "\n";
}

function renderHistogram(out: string[], name: string, labels: string, h: HistogramSnapshot): void {
  for (const b of h.buckets) out.push(`${name}_bucket{${labels},le="${b.le === Infinity ? "+Inf" : String(b.le)}"} ${b.count}`);
  out.push(`${name}_sum{${labels}} ${num(h.sum)}`, `${name}_count{${labels}} ${h.count}`);
}

/**
 * Several processes' snapshots as one (the workers of one gateway): counters and histograms add up series by series
 * (same plugin, same API), in the order series first appear; so does the open-requests gauge.
 */
export function mergeSnapshots(snaps: readonly MetricsSnapshot[]): MetricsSnapshot {
  const plugins = new Map<string, PluginSnapshot>();
  const apis = new Map<string, ApiSnapshot>();
  let openRequests = 0;
  for (const snap of snaps) {
    openRequests += snap.openRequests;
    for (const p of snap.plugins) {
      const m = plugins.get(p.mwName);
      if (!m) plugins.set(p.mwName, structuredClone(p));
      else {
        m.calls += p.calls;
        m.failures += p.failures;
        m.execNs += p.execNs;
        addHistogram(m.execTime, p.execTime);
      }
    }
    for (const a of snap.apis) {
      const m = apis.get(a.apiId);
      if (!m) apis.set(a.apiId, structuredClone(a));
      else {
        for (const [code, n] of Object.entries(a.codes)) m.codes[code] = (m.codes[code] ?? 0) + n;
        for (const t of LATENCY_TYPES) addHistogram(m.latency[t], a.latency[t]);
      }
    }
  }
  return { plugins: [...plugins.values()], apis: [...apis.values()], openRequests };
}

// Every process has the same bucket bounds (they are constants of this module), so buckets add up by position.
function addHistogram(into: HistogramSnapshot, h: HistogramSnapshot): void {
  h.buckets.forEach((b, i) => (into.buckets[i].count += b.count));
  into.count += h.count;
  into.sum += h.sum;
}

function family(out: string[], name: string, type: "counter" | "histogram" | "gauge", help: string): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
}

// The format's spellings for non-finite values.
function num(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}
