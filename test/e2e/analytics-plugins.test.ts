// Analytics plugins (an API's analytics_plugin) through the real gateway: what
// the plugin does to a record is what lands in the analytics file, for
// proxied and plugin-answered requests alike; a panicking, slow or missing
// plugin changes nothing but its own records and never holds up a request.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { AnalyticsRecord } from "../../src/analytics/record.ts";
import { type GatewayProcess, keylessApi, startGatewayProcess } from "../helpers/gateway.ts";
import { testShim } from "../helpers/shim.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const { plugins } = await testShim();
const PLUGIN_TIMEOUT_MS = 1000;
let up: Upstream;
let gw: GatewayProcess;

const withPlugin = (id: string, symbol: string, path = plugins.analytics, extra: Record<string, unknown> = {}) =>
  keylessApi(id, `/${id}/`, up.url, { analytics_plugin: { enable: true, plugin_path: path, func_name: symbol }, ...extra });

before(async () => {
  up = await startUpstream();
  gw = await startGatewayProcess({ enable_analytics: true, plugin_gateway: { plugin_timeout_ms: PLUGIN_TIMEOUT_MS } }, [
    withPlugin("addtag", "MyAnalyticsPluginAddTag", plugins["tyk-goplugins"]),
    withPlugin("everything", "SetEverything"),
    withPlugin("mirror", "Mirror"),
    withPlugin("noop", "Noop"),
    withPlugin("panics", "TagThenPanic"),
    withPlugin("logs", "Logs"),
    withPlugin("sleeps", "SleepForTag"),
    withPlugin("answered", "Logs", plugins.analytics, {
      custom_middleware: { driver: "goplugin", pre: [{ name: "Teapot", path: plugins.sendtime }] },
    }),
    withPlugin("missing", "Noop", "/nonexistent/plugin.so"),
    withPlugin("wrongsig", "NotAnalytics"),
    keylessApi("plain", "/plain/", up.url),
  ]);
});

after(async () => {
  await gw?.stop();
  await up?.close();
});

/** Records in the analytics file so far. */
function records(): AnalyticsRecord[] {
  const file = join(gw.dir, "analytics.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

/** The record of the request to `path` (matched on raw_path or path), once the file has it. */
async function recordOf(path: string, timeoutMs = 5000): Promise<AnalyticsRecord> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const rec = records().find((r) => r.raw_path === path || r.path === path);
    if (rec) return rec;
    if (Date.now() > end) throw new Error(`no analytics record for ${path}; have ${records().map((r) => r.raw_path).join(", ")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  const res = await fetch(`${gw.url}${path}`, { headers });
  await res.arrayBuffer();
  return res;
}

test("analytics plugin: Tyk's MyAnalyticsPluginAddTag adds its TEST tag to the stored record", async () => {
  assert.equal((await get("/addtag/tagged")).status, 200);
  const rec = await recordOf("/addtag/tagged");
  // The plugin's tag comes before the ones Tyk's analytics worker appends after the plugin.
  assert.deepEqual(rec.tags, ["TEST", "org-default", "api-addtag"]);
});

test("analytics plugin: every field the plugin sets is stored as it set it", async () => {
  assert.equal((await get("/everything/x")).status, 200);
  const rec = await recordOf("/p");
  assert.deepEqual({ ...rec, timestamp: Date.parse(rec.timestamp), expireAt: Date.parse(rec.expireAt) }, {
    method: "PATCH",
    host: "h.example",
    path: "/p",
    raw_path: "/raw",
    content_length: 12345678901,
    user_agent: "ua",
    day: 4,
    month: 3,
    year: 2031,
    hour: 5,
    response_code: 418,
    api_key: "k",
    timestamp: Date.UTC(2031, 2, 4, 5, 6, 7, 123),
    api_version: "v9",
    api_name: "n",
    api_id: "id",
    org_id: "org",
    oauth_id: "oauth",
    request_time: 77,
    raw_request: "cmVx",
    raw_response: "cmVz",
    ip_address: "10.0.0.9",
    geo: {
      country: { iso_code: "NZ" },
      city: { geoname_id: 42, names: { en: "Wellington" } },
      location: { latitude: -41.25, longitude: 174.5, time_zone: "Pacific/Auckland" },
    },
    network: { open_connections: 1, closed_connections: 2, bytes_in: 3, bytes_out: 4 },
    latency: { total: 77, upstream: 70, gateway: 7 },
    // What Tyk's worker appends after the plugin, from the plugin's own key, org and API id.
    tags: ["a", "b", "key-k", "org-org", "api-id"],
    alias: "alias",
    track_path: true,
    expireAt: Date.UTC(2031, 2, 4, 6, 6, 7, 123),
    api_schema: "schema",
    original_path: "/orig",
    listen_path: "/listen/",
    graphql_stats: {
      Variables: '{"v":1}',
      RootFields: ["q"],
      Types: { T: ["f"] },
      Errors: [{ message: "m", path: ["a", "b"] }],
      OperationType: 2,
      HasErrors: true,
      IsGraphQL: true,
    },
    mcp_stats: { is_mcp: true, jsonrpc_method: "tools/call", primitive_type: "tool", primitive_name: "t" },
  });
  assert.equal(rec.timestamp, "2031-03-04T05:06:07.123456789Z", "nanoseconds kept");
});

test("analytics plugin: the plugin gets the record as Tyk's RecordHit makes it, every field as Go types it", async () => {
  assert.equal((await get("/mirror/seen", { "user-agent": "mirror-agent" })).status, 200);
  const stored = await recordOf("/mirror/seen");
  const seen = JSON.parse(stored.raw_response);
  // Before Tyk's worker: no key-, org-, api- tags yet.
  assert.deepEqual(seen.Record.tags, []);
  assert.deepEqual(stored.tags, ["org-default", "api-mirror"]);
  // Every other field reached Go as the gateway made it.
  const { raw_response: _, tags: __, ...rest } = stored;
  const { raw_response: ___, tags: ____, ...fromGo } = seen.Record;
  assert.deepEqual({ ...fromGo, timestamp: Date.parse(fromGo.timestamp), expireAt: Date.parse(fromGo.expireAt) }, {
    ...rest,
    timestamp: Date.parse(rest.timestamp),
    expireAt: Date.parse(rest.expireAt),
  });
  assert.equal(seen.Record.user_agent, "mirror-agent");
  assert.equal(seen.Record.listen_path, "/mirror/");
  assert.equal(seen.Month, new Date(stored.timestamp).toLocaleString("en", { month: "long" }));
  assert.equal(Date.parse(seen.TimeStamp), Date.parse(stored.timestamp));
  assert.equal(seen.CollectionName, "");
});

test("analytics plugin: a record the plugin leaves alone is stored as made", async () => {
  assert.equal((await get("/noop/same")).status, 200);
  const rec = await recordOf("/noop/same");
  assert.deepEqual(rec.tags, ["org-default", "api-noop"]);
  assert.equal(rec.api_id, "noop");
});

test("analytics plugin: a panic drops only that record's changes, and is logged", async () => {
  assert.equal((await get("/panics/boom")).status, 200);
  const rec = await recordOf("/panics/boom");
  assert.deepEqual(rec.tags, ["org-default", "api-panics"], "the tag set before the panic is not kept");
  const line = await gw.waitForLog((l) => typeof l.msg === "string" && l.msg.startsWith("analytics plugin panicked"));
  assert.match(String(line.msg), /analytics plugin failed on \/panics\/boom/);
  assert.equal(line.api_id, "panics");
  assert.equal(line.symbol, "TagThenPanic");
  // The next record of the same plugin is handled as usual.
  assert.equal((await get("/panics/again")).status, 200);
  assert.ok(await recordOf("/panics/again"));
});

test("analytics plugin: what it logs reaches the gateway's log with its API and symbol", async () => {
  assert.equal((await get("/logs/seen")).status, 200);
  const rec = await recordOf("/logs/seen");
  assert.deepEqual(rec.tags, ["logged", "org-default", "api-logs"]);
  const line = await gw.waitForLog((l) => l.msg === "analytics plugin saw a record" && l.path === "/logs/seen");
  assert.equal(line.api_id, "logs");
  assert.equal(line.symbol, "Logs");
  assert.equal(line.source, "plugin");
});

test("analytics plugin: it runs on the record of a request a plugin answered", async () => {
  const res = await get("/answered/x");
  assert.equal(res.status, 418);
  const rec = await recordOf("/answered/x");
  assert.equal(rec.response_code, 418);
  assert.deepEqual(rec.tags, ["logged", "org-default", "api-answered"]);
});

test("analytics plugin: a slow plugin never holds up requests; past plugin_timeout_ms its records are stored unchanged", async () => {
  const started = Date.now();
  const res = await get("/sleeps/long", { "user-agent": `sleep-${PLUGIN_TIMEOUT_MS * 3}` });
  assert.equal(res.status, 200);
  assert.ok(Date.now() - started < PLUGIN_TIMEOUT_MS / 2, `the response does not wait for the plugin (${Date.now() - started} ms)`);
  // While the plugin sleeps, the gateway serves, analytics plugins included.
  assert.equal((await get("/hello")).status, 200);
  assert.equal((await get("/sleeps/fast", { "user-agent": "sleep-0" })).status, 200);
  assert.deepEqual((await recordOf("/sleeps/fast")).tags, ["slept", "org-default", "api-sleeps"]);
  const slow = await recordOf("/sleeps/long", PLUGIN_TIMEOUT_MS * 2);
  assert.deepEqual(slow.tags, ["org-default", "api-sleeps"], "stored without the plugin's change");
  assert.ok(Date.now() - started >= PLUGIN_TIMEOUT_MS, "after the timeout");
  await gw.waitForLog((l) => l.msg === "analytics plugins did not finish: their records are stored unchanged");
});

test("analytics plugin: one that cannot be loaded is logged at load; its API serves and its records are stored unchanged", async () => {
  const missing = await gw.waitForLog((l) => l.api_id === "missing" && typeof l.msg === "string" && l.msg.startsWith("plugin not loaded"));
  assert.equal(missing.hook, "analytics");
  const wrong = await gw.waitForLog((l) => l.api_id === "wrongsig" && typeof l.msg === "string" && l.msg.startsWith("plugin not loaded"));
  assert.match(String(wrong.msg), /an analytics hook must be func\(\*analytics\.AnalyticsRecord\)/);
  assert.equal((await get("/missing/x")).status, 200);
  assert.deepEqual((await recordOf("/missing/x")).tags, ["org-default", "api-missing"]);
  assert.equal((await get("/plain/x")).status, 200);
  assert.deepEqual((await recordOf("/plain/x")).tags, ["org-default", "api-plain"]);
});
