// The metrics registry, checked by parsing its Prometheus text output back: names, escaped labels, counters that add
// up, and histograms whose buckets are cumulative with +Inf equal to the count.
import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeSnapshots, Metrics, metricsSnapshotSchema, pluginMwName, renderMetrics } from "../../src/metrics/index.ts";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

// A strict reader for the 0.0.4 text format: it throws on anything it does not understand.
function parse(text: string): Exposition {
  assert.ok(text.endsWith("\n"), "exposition ends with a newline");
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.startsWith("# HELP ")) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      assert.ok(!types.has(type[1]), `one TYPE line per family: ${type[1]}`);
      types.set(type[1], type[2]);
      continue;
    }
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)/.exec(line);
    if (!m) throw new Error(`bad line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    let i = m[1].length;
    if (line[i] === "{") {
      i++;
      while (line[i] !== "}") {
        const ln = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(i));
        if (!ln) throw new Error(`bad label at ${i}: ${line}`);
        i += ln[0].length;
        let v = "";
        for (; line[i] !== '"'; i++) {
          if (i >= line.length) throw new Error(`unterminated label value: ${line}`);
          if (line[i] !== "\\") {
            v += line[i];
            continue;
          }
          const esc = line[++i];
          if (esc === "\\") v += "\\";
          else if (esc === '"') v += '"';
          else if (esc === "n") v += "\n";
          else throw new Error(`bad escape \\${esc}: ${line}`);
        }
        labels[ln[1]] = v;
        i++;
        if (line[i] === ",") i++;
        else if (line[i] !== "}") throw new Error(`expected , or } at ${i}: ${line}`);
      }
      i++;
    }
    const rest = line.slice(i);
    if (!/^ (\+Inf|-Inf|NaN|-?[0-9.e+-]+)$/.test(rest)) throw new Error(`bad value: ${line}`);
    const raw = rest.slice(1);
    samples.push({ name: m[1], labels, value: raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw) });
  }
  return { types, samples };
}

function family(exp: Exposition, name: string): string | undefined {
  if (exp.types.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, "");
  return exp.types.get(base) === "histogram" ? base : undefined;
}

function pick(exp: Exposition, name: string, labels: Record<string, string>): Sample[] {
  return exp.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

function value(exp: Exposition, name: string, labels: Record<string, string>): number {
  const found = pick(exp, name, labels);
  assert.equal(found.length, 1, `exactly one ${name} ${JSON.stringify(labels)}`);
  return found[0].value;
}

// Every histogram series in the exposition: buckets ascending by le, cumulative, ending at +Inf = _count.
function checkHistograms(exp: Exposition): number {
  let series = 0;
  for (const [name, type] of exp.types) {
    if (type !== "histogram") continue;
    const byLabels = new Map<string, Sample[]>();
    for (const s of exp.samples.filter((s) => s.name === `${name}_bucket`)) {
      const { le: _le, ...rest } = s.labels;
      const key = JSON.stringify(rest);
      byLabels.set(key, [...(byLabels.get(key) ?? []), s]);
    }
    for (const [key, buckets] of byLabels) {
      series++;
      const labels = JSON.parse(key);
      const les = buckets.map((b) => (b.labels.le === "+Inf" ? Infinity : Number(b.labels.le)));
      for (let i = 1; i < buckets.length; i++) {
        assert.ok(les[i] > les[i - 1], `${name} le ascending`);
        assert.ok(buckets[i].value >= buckets[i - 1].value, `${name} buckets cumulative`);
      }
      assert.equal(les.at(-1), Infinity, `${name} ends with +Inf`);
      assert.equal(buckets.at(-1)!.value, value(exp, `${name}_count`, labels), `${name} +Inf = _count`);
      value(exp, `${name}_sum`, labels);
    }
  }
  return series;
}

test("plugin calls are named as Tyk names Go plugin middleware", () => {
  assert.equal(
    pluginMwName("request", "/tmp/x.so", "AddFooBarHeader"),
    "GoPluginMiddleware:/tmp/x.so:AddFooBarHeader",
  );
  assert.equal(
    pluginMwName("response", "/tmp/x.so", "AddFooBarHeader"),
    "ResponseGoPluginMiddleware:/tmp/x.so:AddFooBarHeader",
  );
});

test("plugin counters, failures and exec time histogram add up", () => {
  const m = new Metrics();
  m.pluginCall("request", "/tmp/x.so", "AddFooBarHeader", 5_000, false); // 5 µs
  m.pluginCall("request", "/tmp/x.so", "AddFooBarHeader", 300_000, true); // 0.3 ms
  m.pluginCall("request", "/tmp/x.so", "AddFooBarHeader", 2_000_000_000, false); // 2 s
  m.pluginCall("response", "/tmp/x.so", "AddFooBarHeader", 1_000, false);
  const exp = parse(m.render());
  for (const s of exp.samples) assert.ok(family(exp, s.name), `${s.name} belongs to a declared family`);

  const req = { mw_name: "GoPluginMiddleware:/tmp/x.so:AddFooBarHeader" };
  const res = { mw_name: "ResponseGoPluginMiddleware:/tmp/x.so:AddFooBarHeader" };
  assert.equal(exp.types.get("tyk_plugin_calls_total"), "counter");
  assert.equal(exp.types.get("tyk_plugin_failures_total"), "counter");
  assert.equal(exp.types.get("tyk_plugin_exec_time_seconds"), "histogram");
  assert.equal(value(exp, "tyk_plugin_calls_total", req), 3);
  assert.equal(value(exp, "tyk_plugin_failures_total", req), 1);
  assert.equal(value(exp, "tyk_plugin_calls_total", res), 1);
  assert.equal(value(exp, "tyk_plugin_failures_total", res), 0);

  const bucket = (le: string) => value(exp, "tyk_plugin_exec_time_seconds_bucket", { ...req, le });
  assert.equal(bucket("0.00001"), 1);
  assert.equal(bucket("0.00025"), 1);
  assert.equal(bucket("0.0005"), 2);
  assert.equal(bucket("1"), 2);
  assert.equal(bucket("+Inf"), 3);
  assert.equal(value(exp, "tyk_plugin_exec_time_seconds_count", req), 3);
  assert.ok(Math.abs(value(exp, "tyk_plugin_exec_time_seconds_sum", req) - 2.000305) < 1e-12);
  assert.equal(
    value(exp, "tyk_plugin_exec_time_nanoseconds_total", { mw_name: "GoPluginMiddleware:/tmp/x.so:AddFooBarHeader.exec_time" }),
    2_000_305_000,
  );
  assert.equal(checkHistograms(exp), 2);
});

test("label values with backslash, quote and newline are escaped and read back intact", () => {
  const m = new Metrics();
  const path = 'C:\\plugins\\"odd"\nname.so';
  m.pluginCall("request", path, "Sym", 10, false);
  m.request('api "x"\\\n', 200, 1, 0);
  const text = m.render();
  assert.ok(text.includes('mw_name="GoPluginMiddleware:C:\\\\plugins\\\\\\"odd\\"\\nname.so:Sym"'), text);
  const exp = parse(text);
  assert.equal(value(exp, "tyk_plugin_calls_total", { mw_name: `GoPluginMiddleware:${path}:Sym` }), 1);
  assert.equal(value(exp, "tyk_http_requests_total", { api_id: 'api "x"\\\n', code: "200" }), 1);
});

test("requests count per api and code, with total, upstream and gateway latency histograms", () => {
  const m = new Metrics();
  m.request("api1", 200, 12, 10);
  m.request("api1", 200, 4, 1);
  m.request("api1", 500, 3, 0);
  m.request("api2", 404, 0.05, 0);
  const exp = parse(m.render());
  for (const s of exp.samples) assert.ok(family(exp, s.name), `${s.name} belongs to a declared family`);

  assert.equal(exp.types.get("tyk_http_requests_total"), "counter");
  assert.equal(exp.types.get("tyk_http_latency_seconds"), "histogram");
  assert.equal(value(exp, "tyk_http_requests_total", { api_id: "api1", code: "200" }), 2);
  assert.equal(value(exp, "tyk_http_requests_total", { api_id: "api1", code: "500" }), 1);
  assert.equal(value(exp, "tyk_http_requests_total", { api_id: "api2", code: "404" }), 1);
  const total = pick(exp, "tyk_http_requests_total", {}).reduce((a, s) => a + s.value, 0);
  assert.equal(total, 4);

  const sum = (api: string, type: string) => value(exp, "tyk_http_latency_seconds_sum", { api_id: api, type });
  assert.ok(Math.abs(sum("api1", "total") - 0.019) < 1e-12);
  assert.ok(Math.abs(sum("api1", "upstream") - 0.011) < 1e-12);
  assert.ok(Math.abs(sum("api1", "gateway") - 0.008) < 1e-12);
  for (const type of ["total", "upstream", "gateway"]) {
    assert.equal(value(exp, "tyk_http_latency_seconds_count", { api_id: "api1", type }), 3);
  }
  // 0.05 ms of gateway time lands in the first, sub-millisecond bucket.
  const gw2 = { api_id: "api2", type: "gateway" };
  assert.equal(value(exp, "tyk_http_latency_seconds_bucket", { ...gw2, le: "0.0001" }), 1);
  // api1's gateway times are 2, 3 and 3 ms.
  const gw1 = { api_id: "api1", type: "gateway" };
  assert.equal(value(exp, "tyk_http_latency_seconds_bucket", { ...gw1, le: "0.002" }), 1);
  assert.equal(value(exp, "tyk_http_latency_seconds_bucket", { ...gw1, le: "0.005" }), 3);
  assert.equal(checkHistograms(exp), 6);
});

test("snapshot agrees with the rendered text", () => {
  const m = new Metrics();
  m.pluginCall("request", "/p.so", "A", 2_000, true);
  m.pluginCall("request", "/p.so", "A", 4_000, false);
  m.request("api1", 201, 7, 5);
  const snap = m.snapshot();
  const exp = parse(m.render());

  assert.equal(snap.plugins.length, 1);
  const p = snap.plugins[0];
  assert.deepEqual([p.kind, p.mwName, p.calls, p.failures], ["request", "GoPluginMiddleware:/p.so:A", 2, 1]);
  assert.equal(p.execTime.count, value(exp, "tyk_plugin_exec_time_seconds_count", { mw_name: p.mwName }));
  assert.equal(p.execTime.buckets.at(-1)!.le, Infinity);
  for (const b of p.execTime.buckets) {
    const le = b.le === Infinity ? "+Inf" : String(b.le);
    assert.equal(b.count, value(exp, "tyk_plugin_exec_time_seconds_bucket", { mw_name: p.mwName, le }));
  }
  assert.deepEqual(snap.apis.map((a) => [a.apiId, a.codes]), [["api1", { "201": 1 }]]);
  assert.ok(Math.abs(snap.apis[0].latency.gateway.sum - 0.002) < 1e-12);
});

test("an empty registry renders family headers, and the shim's open request gauge", () => {
  const exp = parse(new Metrics(() => 3).render());
  assert.deepEqual(exp.samples.map((s) => [s.name, s.value]), [["tykgw_shim_requests_open", 3]]);
  assert.deepEqual([...exp.types.keys()], [
    "tyk_plugin_calls_total",
    "tyk_plugin_exec_time_nanoseconds_total",
    "tyk_plugin_failures_total",
    "tyk_plugin_exec_time_seconds",
    "tyk_http_requests_total",
    "tyk_http_latency_seconds",
    "tykgw_shim_requests_open",
  ]);
});

test("workers' snapshots, sent as JSON and merged, render as one process that saw every call would", () => {
  const [a, b, all] = [new Metrics(() => 1), new Metrics(() => 2), new Metrics(() => 3)];
  const calls: Array<(m: Metrics) => void> = [
    (m) => m.pluginCall("request", "/p.so", "A", 2_000, false),
    (m) => m.pluginCall("response", "/p.so", "R", 900_000, true),
    (m) => m.request("api1", 200, 3, 1),
    (m) => m.request("api1", 502, 40, 39),
    (m) => m.request("api2", 200, 0.05, 0),
  ];
  calls.forEach((call, i) => {
    call(i % 2 === 0 ? a : b);
    call(all);
  });
  a.pluginCall("request", "/p.so", "A", 7_000, false);
  all.pluginCall("request", "/p.so", "A", 7_000, false);
  const overJson = [a, b].map((m) => metricsSnapshotSchema.parse(JSON.parse(JSON.stringify(m.snapshot()))));
  assert.equal(renderMetrics(mergeSnapshots(overJson)), all.render());
  const withWorkers = parse(renderMetrics(mergeSnapshots(overJson), { live: 2, restarts: 1 }));
  assert.equal(value(withWorkers, "tykgw_workers", {}), 2);
  assert.equal(value(withWorkers, "tykgw_worker_restarts_total", {}), 1);
  assert.equal(checkHistograms(withWorkers), 8);
});
