// Analytics plugins (an API's analytics_plugin) and detailed recording
// through the real gateway: what the plugin does to a record is what lands in
// the analytics file and in Redis for Tyk Pump, for proxied and
// plugin-answered requests alike; a panicking, slow or missing plugin changes
// nothing but its own records and never holds up a request.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { decode } from "@msgpack/msgpack";
import { Redis } from "ioredis";
import type { AnalyticsRecord } from "../../src/analytics/record.ts";
import { type GatewayProcess, keylessApi, SECRET, startGatewayProcess } from "../helpers/gateway.ts";
import { startRedis, type TestRedis } from "../helpers/redis.ts";
import { testShim } from "../helpers/shim.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const { plugins } = await testShim();
const PLUGIN_TIMEOUT_MS = 1000;
const SLEEP_MS = PLUGIN_TIMEOUT_MS * 3;
let up: Upstream;
let golang: Server;
let golangUrl: string;
let redis: TestRedis;
let gw: GatewayProcess;
let gwRedis: GatewayProcess;

/** What a request got, and how long its response took. */
interface Sent {
  status: number;
  ms: number;
}
const sent = new Map<string, Promise<Sent>>();

/** Sends a request (once per path) to `target`; tests await what it got. */
function send(target: GatewayProcess, path: string, init: RequestInit = {}): Promise<Sent> {
  const started = Date.now();
  const p = fetch(`${target.url}${path}`, init).then(async (res) => {
    await res.arrayBuffer();
    return { status: res.status, ms: Date.now() - started };
  });
  sent.set(path, p);
  return p;
}

const withPlugin = (id: string, symbol: string, path = plugins.analytics, extra: Record<string, unknown> = {}) =>
  keylessApi(id, `/${id}/`, up.url, {
    analytics_plugin: { enable: true, plugin_path: path, func_name: symbol },
    ...extra,
  });
const tykPlugin = (id: string, symbol: string, extra: Record<string, unknown> = {}) =>
  withPlugin(id, symbol, plugins["tyk-goplugins"], {
    proxy: { listen_path: `/${id}/`, target_url: golangUrl, strip_listen_path: true },
    ...extra,
  });
const LOGIN = `{"email": "m", "password": "p", "data": {"email": "m", "password": "p"}}`;

/** A Tyk OAS API on /<id>/; `trafficLogs` is its middleware.global.trafficLogs, if any. */
const oasApi = (id: string, trafficLogs?: Record<string, unknown>) =>
  JSON.stringify({
    openapi: "3.0.3",
    info: { title: id, version: "1.0.0" },
    paths: {},
    "x-tyk-api-gateway": {
      info: { id, name: id, state: { active: true } },
      upstream: { url: up.url },
      server: { listenPath: { value: `/${id}/`, strip: true } },
      ...(trafficLogs ? { middleware: { global: { trafficLogs } } } : {}),
    },
  });

before(async () => {
  up = await startUpstream();
  // An upstream that names itself, as Go's servers do not by default but many do: Tyk's example plugins delete it.
  golang = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { server: "golang", "content-type": "text/plain", "content-length": 5 });
    res.end("Hello");
  });
  await new Promise<void>((r) => golang.listen(0, "127.0.0.1", r));
  golangUrl = `http://127.0.0.1:${(golang.address() as AddressInfo).port}`;
  redis = await startRedis();
  [gw, gwRedis] = await Promise.all([
    startGatewayProcess({ enable_analytics: true, plugin_gateway: { plugin_timeout_ms: PLUGIN_TIMEOUT_MS } }, [
      tykPlugin("addtag", "MyAnalyticsPluginAddTag", { enable_detailed_recording: true }),
      tykPlugin("deleteheader", "MyAnalyticsPluginDeleteHeader", { enable_detailed_recording: true }),
      tykPlugin("masklogin", "MyAnalyticsPluginMaskJSONLoginBody", { enable_detailed_recording: true }),
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
      keylessApi("detailed", "/detailed/", golangUrl, { enable_detailed_recording: true }),
      keylessApi("keyed", "/keyed/", golangUrl, {
        use_keyless: false,
        use_standard_auth: true,
        auth: { auth_header_name: "authorization" },
      }),
    ], {
      "oas-logs.json": oasApi("oas-logs", {
        enabled: true,
        plugins: [{ enabled: true, functionName: "Logs", path: plugins.analytics }],
      }),
      "oas-untracked.json": oasApi("oas-untracked"),
    }),
    // Detailed recording on for every API, from tyk.conf.
    startGatewayProcess({
      enable_analytics: true,
      analytics_config: { enable_detailed_recording: true },
      storage: { type: "redis", host: "127.0.0.1", port: redis.port, timeout: 1 },
    }, [
      tykPlugin("addtag", "MyAnalyticsPluginAddTag"),
      withPlugin("everything", "SetEverything"),
      withPlugin("panics", "TagThenPanic"),
    ]),
  ]);
  const key = await fetch(`${gw.url}/tyk/keys`, {
    method: "POST",
    headers: { "x-tyk-authorization": SECRET },
    body: JSON.stringify({
      org_id: "default",
      enable_detailed_recording: true,
      access_rights: { keyed: { api_id: "keyed", versions: ["Default"] } },
    }),
  });
  assert.equal(key.status, 200);
  const { key: token } = await key.json();
  // Every request goes out now, so that their records are written together (the file sink writes every second).
  await Promise.all([
    send(gw, "/addtag/tagged"),
    send(gw, "/deleteheader/x"),
    send(gw, "/masklogin/login", { method: "POST", body: LOGIN, headers: { "content-type": "application/json" } }),
    send(gw, "/everything/x"),
    send(gw, "/mirror/seen", { headers: { "user-agent": "mirror-agent" } }),
    send(gw, "/noop/same"),
    send(gw, "/panics/boom"),
    send(gw, "/logs/seen"),
    send(gw, "/answered/x"),
    send(gw, "/missing/x"),
    send(gw, "/plain/x"),
    send(gw, "/detailed/d?q=1", {
      method: "PUT",
      body: "body!",
      headers: { "user-agent": "ua", "x-multi": "a", "content-type": "text/plain", accept: "*/*" },
    }),
    send(gw, "/keyed/k", { headers: { authorization: token } }),
    send(gw, "/oas-logs/x"),
    send(gw, "/oas-untracked/x"),
    send(gwRedis, "/addtag/redis"),
    send(gwRedis, "/everything/redis"),
    send(gwRedis, "/panics/redis"),
  ]);
});

after(async () => {
  await gw?.stop();
  await gwRedis?.stop();
  await redis?.stop();
  await up?.close();
  golang?.close();
});

async function got(path: string): Promise<Sent> {
  const s = sent.get(path);
  assert.ok(s, `${path} was sent`);
  return await s;
}

/** Records in the analytics file so far. */
function records(): AnalyticsRecord[] {
  const file = join(gw.dir, "analytics.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

async function until<T>(
  find: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The file's record of the request to `path` (matched on raw_path or path). */
const recordOf = (path: string, timeoutMs?: number) =>
  until(() => records().find((r) => r.raw_path === path || r.path === path), `the record of ${path}`, timeoutMs);

/** The record of the request to `path` in Redis, as Tyk Pump reads it. */
async function pumpRecordOf(path: string): Promise<Record<string, any>> {
  const client = new Redis({ host: "127.0.0.1", port: redis.port });
  try {
    return await until(async () => {
      const items = (await client.lrangeBuffer("tyk-system-analytics", 0, -1)).map((b) =>
        decode(b) as Record<string, any>
      );
      return items.find((r) => r.RawPath === path || r.Path === path);
    }, `the Redis record of ${path}`);
  } finally {
    client.disconnect();
  }
}

const unb64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

test("Tyk's TestAnalyticsPlugin: after MyAnalyticsPluginAddTag the stored record has the TEST tag, no Server header and Test: test in RawResponse", async () => {
  assert.equal((await got("/addtag/tagged")).status, 200);
  const rec = await recordOf("/addtag/tagged");
  // The plugin's tag comes before the ones Tyk's analytics worker appends after the plugin.
  assert.deepEqual(rec.tags, ["TEST", "org-default", "api-addtag"]);
  const raw = unb64(rec.raw_response);
  assert.ok(!raw.includes("Server:"), raw);
  assert.ok(raw.includes("Test: test\r\n"), raw);
  assert.ok(raw.startsWith("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n") && raw.endsWith("\r\n\r\nHello"), raw);

  // The same over Redis, as Tyk's own test reads it (msgpack, Go field names), detailed recording set in tyk.conf.
  const pump = await pumpRecordOf("/addtag/redis");
  assert.ok(pump.Tags.includes("TEST"), pump.Tags);
  const pumpRaw = unb64(pump.RawResponse);
  assert.ok(!pumpRaw.includes("Server:") && pumpRaw.includes("Test: test"), pumpRaw);
});

test("Tyk's MyAnalyticsPluginDeleteHeader and MyAnalyticsPluginMaskJSONLoginBody do to records what Tyk's examples of them show", async () => {
  assert.equal((await got("/deleteheader/x")).status, 200);
  const deleted = unb64((await recordOf("/deleteheader/x")).raw_response);
  assert.ok(!deleted.includes("Server:") && deleted.endsWith("\r\n\r\nHello"), deleted);
  assert.deepEqual((await recordOf("/deleteheader/x")).tags, ["org-default", "api-deleteheader"]);

  assert.equal((await got("/masklogin/login")).status, 200);
  const login = await recordOf("/masklogin/login");
  const raw = unb64(login.raw_request);
  assert.ok(raw.startsWith("POST /masklogin/login HTTP/1.1\r\nHost: 127.0.0.1:"), raw);
  assert.ok(raw.includes(`\r\nContent-Length: ${LOGIN.length}\r\n`), raw);
  assert.ok(
    raw.endsWith(`\r\n\r\n{"email": "****", "password": "****", "data": {"email": "****", "password": "****"}}`),
    raw,
  );
});

test("detailed recording: raw_request and raw_response are the request and response as Go's net/http writes them", async () => {
  assert.equal((await got("/detailed/d?q=1")).status, 200);
  const rec = await recordOf("/detailed/d");
  const req = unb64(rec.raw_request);
  const port = gw.port;
  // Less the headers each runtime's fetch adds of its own.
  assert.equal(
    req.replace(/\r\n(Accept-Encoding|Accept-Language|Connection|Sec-Fetch-Mode): [^\r]*/g, ""),
    `PUT /detailed/d?q=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: ua\r\nContent-Length: 5\r\nAccept: */*\r\nContent-Type: text/plain\r\nX-Multi: a\r\n\r\nbody!`,
  );
  const res = unb64(rec.raw_response);
  assert.match(
    res,
    /^HTTP\/1\.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text\/plain\r\nDate: [^\r]+\r\nServer: golang\r\n\r\nHello$/,
  );
});

test("detailed recording: a key with enable_detailed_recording has its requests recorded in full on an API that does not", async () => {
  assert.equal((await got("/keyed/k")).status, 200);
  const rec = await recordOf("/keyed/k");
  assert.match(unb64(rec.raw_request), /^GET \/keyed\/k HTTP\/1\.1\r\n/);
  const res = unb64(rec.raw_response);
  assert.ok(res.includes("\r\nServer: golang\r\n") && res.endsWith("\r\n\r\nHello"), res);
  assert.equal((await recordOf("/plain/x")).raw_request, "", "others are not");
});

test("analytics plugin: every field the plugin sets is stored as it set it, in the file and for Pump", async () => {
  assert.equal((await got("/everything/x")).status, 200);
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

  // Pump gets every field of its struct, CollectionName included, times to the nanosecond.
  assert.equal((await got("/everything/redis")).status, 200);
  const pump = await pumpRecordOf("/p");
  const at = Date.UTC(2031, 2, 4, 5, 6, 7) / 1000;
  assert.deepEqual(pump, {
    Method: "PATCH",
    Host: "h.example",
    Path: "/p",
    RawPath: "/raw",
    ContentLength: 12345678901,
    UserAgent: "ua",
    Day: 4,
    Month: 3,
    Year: 2031,
    Hour: 5,
    ResponseCode: 418,
    APIKey: "k",
    TimeStamp: [at, 123456789],
    APIVersion: "v9",
    APIName: "n",
    APIID: "id",
    OrgID: "org",
    OauthID: "oauth",
    RequestTime: 77,
    RawRequest: "cmVx",
    RawResponse: "cmVz",
    IPAddress: "10.0.0.9",
    Geo: {
      Country: { ISOCode: "NZ" },
      City: { GeoNameID: 42, Names: { en: "Wellington" } },
      Location: { Latitude: -41.25, Longitude: 174.5, TimeZone: "Pacific/Auckland" },
    },
    Network: { OpenConnections: 1, ClosedConnection: 2, BytesIn: 3, BytesOut: 4 },
    Latency: { Total: 77, Upstream: 70, Gateway: 7 },
    Tags: ["a", "b", "key-k", "org-org", "api-id"],
    Alias: "alias",
    TrackPath: true,
    ExpireAt: [at + 3600, 123456789],
    ApiSchema: "schema",
    OriginalPath: "/orig",
    ListenPath: "/listen/",
    GraphQLStats: {
      Variables: '{"v":1}',
      RootFields: ["q"],
      Types: { T: ["f"] },
      Errors: [{ Message: "m", Path: ["a", "b"] }],
      OperationType: 2,
      HasErrors: true,
      IsGraphQL: true,
    },
    MCPStats: { IsMCP: true, JSONRPCMethod: "tools/call", PrimitiveType: "tool", PrimitiveName: "t" },
    CollectionName: "custom_collection",
  });
});

test("analytics plugin: the plugin gets the record as Tyk's RecordHit makes it, every field as Go types it", async () => {
  assert.equal((await got("/mirror/seen")).status, 200);
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
  assert.equal((await got("/noop/same")).status, 200);
  const rec = await recordOf("/noop/same");
  assert.deepEqual(rec.tags, ["org-default", "api-noop"]);
  assert.equal(rec.api_id, "noop");
});

test("analytics plugin: a panic drops only that record's changes, and is logged", async () => {
  assert.equal((await got("/panics/boom")).status, 200);
  const rec = await recordOf("/panics/boom");
  assert.deepEqual(rec.tags, ["org-default", "api-panics"], "the tag set before the panic is not kept");
  const line = await gw.waitForLog((l) => typeof l.msg === "string" && l.msg.startsWith("analytics plugin panicked"));
  assert.match(String(line.msg), /analytics plugin failed on \/panics\/boom/);
  assert.equal(line.api_id, "panics");
  assert.equal(line.symbol, "TagThenPanic");
  assert.deepEqual((await pumpRecordOf("/panics/redis")).Tags, ["org-default", "api-panics"]);
});

test("analytics plugin: what it logs reaches the gateway's log with its API and symbol", async () => {
  assert.equal((await got("/logs/seen")).status, 200);
  const rec = await recordOf("/logs/seen");
  assert.deepEqual(rec.tags, ["logged", "org-default", "api-logs"]);
  const line = await gw.waitForLog((l) => l.msg === "analytics plugin saw a record" && l.path === "/logs/seen");
  assert.equal(line.api_id, "logs");
  assert.equal(line.symbol, "Logs");
  assert.equal(line.source, "plugin");
});

test("analytics plugin: it runs on the record of a request a plugin answered", async () => {
  assert.equal((await got("/answered/x")).status, 418);
  const rec = await recordOf("/answered/x");
  assert.equal(rec.response_code, 418);
  assert.deepEqual(rec.tags, ["logged", "org-default", "api-answered"]);
});

test("analytics plugin: a Tyk OAS API names it in trafficLogs.plugins; without trafficLogs.enabled it records nothing, as in Tyk", async () => {
  assert.equal((await got("/oas-logs/x")).status, 200);
  assert.deepEqual((await recordOf("/oas-logs/x")).tags, ["logged", "api-oas-logs"]);
  assert.equal((await got("/oas-untracked/x")).status, 200);
  // A record is queued before its response is sent, and the file keeps their order: one sent later is written after it.
  await send(gw, "/plain/after");
  await recordOf("/plain/after");
  assert.equal(records().find((r) => r.api_id === "oas-untracked"), undefined);
});

test("analytics plugin: a slow plugin never holds up requests; past plugin_timeout_ms its records are stored unchanged", async () => {
  const slow = await send(gw, "/sleeps/long", { headers: { "user-agent": `sleep-${SLEEP_MS}` } });
  const started = Date.now();
  assert.equal(slow.status, 200);
  assert.ok(slow.ms < PLUGIN_TIMEOUT_MS / 2, `the response does not wait for the plugin (${slow.ms} ms)`);
  // While the plugin sleeps, the gateway serves, analytics plugins included.
  assert.equal((await send(gw, "/hello")).status, 200);
  assert.equal((await send(gw, "/sleeps/fast", { headers: { "user-agent": "sleep-0" } })).status, 200);
  assert.deepEqual((await recordOf("/sleeps/fast")).tags, ["slept", "org-default", "api-sleeps"]);
  const rec = await recordOf("/sleeps/long", SLEEP_MS);
  assert.deepEqual(rec.tags, ["org-default", "api-sleeps"], "stored without the plugin's change");
  assert.ok(Date.now() - started >= PLUGIN_TIMEOUT_MS - 100, "after the timeout");
  const late = await gw.waitForLog((l) => l.msg === "analytics plugin did not return in time: its records are stored unchanged");
  assert.equal(late.symbol, "SleepForTag");
});

test("analytics plugin: one that cannot be loaded is logged at load; its API serves and its records are stored unchanged", async () => {
  const missing = await gw.waitForLog((l) =>
    l.api_id === "missing" && typeof l.msg === "string" && l.msg.startsWith("plugin not loaded")
  );
  assert.equal(missing.hook, "analytics");
  const wrong = await gw.waitForLog((l) =>
    l.api_id === "wrongsig" && typeof l.msg === "string" && l.msg.startsWith("plugin not loaded")
  );
  assert.match(String(wrong.msg), /an analytics hook must be func\(\*analytics\.AnalyticsRecord\)/);
  assert.equal((await got("/missing/x")).status, 200);
  assert.deepEqual((await recordOf("/missing/x")).tags, ["org-default", "api-missing"]);
  assert.deepEqual((await recordOf("/plain/x")).tags, ["org-default", "api-plain"]);
});
