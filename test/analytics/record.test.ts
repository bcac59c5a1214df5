// buildRecord and finishRecord against Tyk's analytics record: JSON field names, date fields, latency split, what
// Tyk's analytics worker adds (key hash, tags, leading slashes) and expiry.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type AnalyticsRecord, buildRecord, finishRecord, type RecordInput } from "../../src/analytics/record.ts";

function input(over: Partial<RecordInput> = {}): RecordInput {
  return {
    method: "GET",
    host: "upstream.local:8080",
    path: "/users/42",
    originalPath: "/api/users/42",
    listenPath: "/api/",
    contentLength: 0,
    userAgent: "curl/8.5.0",
    status: 200,
    apiId: "api1",
    apiName: "Users API",
    orgId: "org1",
    ip: "10.0.0.7",
    startedAtMs: new Date(2022, 10, 16, 3, 1, 54, 398).getTime(),
    totalMs: 12.9,
    upstreamMs: 10.4,
    ...over,
  };
}

// The json tags of tyk-pump's AnalyticsRecord.
test("the record has exactly Tyk's JSON field names", () => {
  const rec: AnalyticsRecord = JSON.parse(JSON.stringify(buildRecord(input())));
  assert.deepEqual(Object.keys(rec).sort(), [
    "alias",
    "api_id",
    "api_key",
    "api_name",
    "api_schema",
    "api_version",
    "content_length",
    "day",
    "expireAt",
    "geo",
    "graphql_stats",
    "host",
    "hour",
    "ip_address",
    "latency",
    "listen_path",
    "mcp_stats",
    "method",
    "month",
    "network",
    "oauth_id",
    "org_id",
    "original_path",
    "path",
    "raw_path",
    "raw_request",
    "raw_response",
    "request_time",
    "response_code",
    "tags",
    "timestamp",
    "track_path",
    "user_agent",
    "year",
  ]);
  assert.deepEqual(Object.keys(rec.latency).sort(), ["gateway", "total", "upstream"]);
  assert.deepEqual(Object.keys(rec.network).sort(), [
    "bytes_in",
    "bytes_out",
    "closed_connections",
    "open_connections",
  ]);
  assert.deepEqual(rec.geo, {
    country: { iso_code: "" },
    city: { geoname_id: 0, names: null },
    location: { latitude: 0, longitude: 0, time_zone: "" },
  });
  assert.equal(rec.method, "GET");
  assert.equal(rec.host, "upstream.local:8080");
  assert.equal(rec.user_agent, "curl/8.5.0");
  assert.equal(rec.response_code, 200);
  assert.equal(rec.api_name, "Users API");
  assert.equal(rec.ip_address, "10.0.0.7");
  assert.equal(rec.api_version, "Non Versioned");
  assert.equal(rec.oauth_id, "");
  assert.equal(rec.raw_request, "");
  assert.equal(rec.original_path, "/api/users/42");
  assert.equal(rec.listen_path, "/api/");
  assert.equal(rec.api_schema, "");
  // Go's zero GraphQLStats and MCPStats: nil slices and maps are null.
  assert.deepEqual(rec.graphql_stats, {
    Variables: "",
    RootFields: null,
    Types: null,
    Errors: null,
    OperationType: 0,
    HasErrors: false,
    IsGraphQL: false,
  });
  assert.deepEqual(rec.mcp_stats, { is_mcp: false, jsonrpc_method: "", primitive_type: "", primitive_name: "" });
});

test("timestamp is RFC 3339 at completion time and the date fields come from it", () => {
  const rec = buildRecord(input());
  assert.match(rec.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/);
  const recordedAt = input().startedAtMs + 12.9;
  assert.equal(Date.parse(rec.timestamp), Math.floor(recordedAt));
  const d = new Date(recordedAt);
  assert.deepEqual([rec.year, rec.month, rec.day, rec.hour], [2022, 11, 16, 3]);
  assert.deepEqual([rec.year, rec.month, rec.day, rec.hour], [
    d.getFullYear(),
    d.getMonth() + 1,
    d.getDate(),
    d.getHours(),
  ]);
});

test("a request that ends after midnight on New Year's Eve is dated by its end", () => {
  const rec = buildRecord(input({ startedAtMs: new Date(2022, 11, 31, 23, 59, 59, 900).getTime(), totalMs: 200 }));
  assert.deepEqual([rec.year, rec.month, rec.day, rec.hour], [2023, 1, 1, 0]);
  assert.equal(Date.parse(rec.timestamp), new Date(2023, 0, 1, 0, 0, 0, 100).getTime());
});

test("latency is whole ms, truncated like Go, and gateway = total - upstream", () => {
  const rec = buildRecord(input({ totalMs: 12.9, upstreamMs: 10.4 }));
  assert.deepEqual(rec.latency, { total: 12, upstream: 10, gateway: 2 });
  assert.equal(rec.request_time, 12);
  // No upstream call (e.g. a plugin answered): all of it is gateway time.
  assert.deepEqual(buildRecord(input({ totalMs: 5.5, upstreamMs: 0 })).latency, { total: 5, upstream: 0, gateway: 5 });
  // Clock skew between the two measurements never yields negative gateway time.
  assert.deepEqual(buildRecord(input({ totalMs: 3, upstreamMs: 4 })).latency, { total: 3, upstream: 4, gateway: 0 });
});

test("api_key and the key-, org-, api- tags are added by finishRecord, after the analytics plugin's turn", () => {
  const hit = buildRecord(input({ apiKey: "6129dc1e8b64c6b4", tags: ["pol-p1", "dev-d1"] }));
  // What an analytics plugin gets: the key as presented, only the session's and API's tags.
  assert.equal(hit.api_key, "6129dc1e8b64c6b4");
  assert.deepEqual(hit.tags, ["pol-p1", "dev-d1"]);
  const keyed = finishRecord(hit, false);
  assert.equal(keyed.api_key, "6129dc1e8b64c6b4");
  assert.deepEqual(keyed.tags, ["pol-p1", "dev-d1", "key-6129dc1e8b64c6b4", "org-org1", "api-api1"]);
  const keyless = finishRecord(buildRecord(input({ orgId: "" })), false);
  assert.equal(keyless.api_key, "");
  assert.deepEqual(keyless.tags, ["api-api1"]);
  // A plugin may leave Go's nil slice.
  assert.deepEqual(finishRecord({ ...buildRecord(input()), tags: null }, false).tags, ["org-org1", "api-api1"]);
});

test("with hash_keys the stored key is its hash (by the algorithm the key names, as Tyk's worker hashes), keyless ones included", () => {
  const hashed = finishRecord(buildRecord(input({ apiKey: "mykey" })), true);
  assert.equal(hashed.api_key, "10b31c42", "murmur32, Tyk's default for keys that name no algorithm");
  assert.deepEqual(hashed.tags, ["key-10b31c42", "org-org1", "api-api1"]);
  // Tyk hashes unconditionally: a keyless request's empty key becomes murmur32("").
  assert.equal(finishRecord(buildRecord(input()), true).api_key, "00000000");
});

test("tracked path, raw path, leading slash and version", () => {
  const tracked = finishRecord(
    buildRecord(input({ path: "users/42", trackedPath: "/users/{id}", apiVersion: "v2" })),
    false,
  );
  assert.equal(tracked.path, "/users/{id}");
  assert.equal(tracked.raw_path, "/users/42");
  assert.equal(tracked.track_path, true);
  assert.equal(tracked.api_version, "v2");
  const plain = buildRecord(input());
  assert.equal(plain.path, "/users/42");
  assert.equal(plain.track_path, false);
});

test("expireAt is 100 years out by default, else expire_analytics_after seconds", () => {
  const def = buildRecord(input());
  assert.equal(Date.parse(def.expireAt) - Date.parse(def.timestamp), 100 * 365 * 86_400_000);
  const hour = buildRecord(input({ expireAfterSeconds: 3600 }));
  assert.equal(Date.parse(hour.expireAt) - Date.parse(hour.timestamp), 3_600_000);
});
