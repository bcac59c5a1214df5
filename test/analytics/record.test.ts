// buildRecord against Tyk's analytics record: JSON field names, date fields, latency split, tags and expiry.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type AnalyticsRecord, buildRecord, type RecordInput } from "../../src/analytics/record.ts";

function input(over: Partial<RecordInput> = {}): RecordInput {
  return {
    method: "GET",
    host: "upstream.local:8080",
    path: "/users/42",
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

// The json tags of tyk-pump's AnalyticsRecord (api_schema aside), plus latency.gateway.
test("the record has exactly Tyk's JSON field names", () => {
  const rec: AnalyticsRecord = JSON.parse(JSON.stringify(buildRecord(input())));
  assert.deepEqual(Object.keys(rec).sort(), [
    "alias",
    "api_id",
    "api_key",
    "api_name",
    "api_version",
    "content_length",
    "day",
    "expireAt",
    "geo",
    "host",
    "hour",
    "ip_address",
    "latency",
    "method",
    "month",
    "network",
    "oauth_id",
    "org_id",
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

test("api_key and the key-, org-, api- tags Tyk appends", () => {
  const keyed = buildRecord(input({ apiKey: "6129dc1e8b64c6b4", tags: ["pol-p1", "dev-d1"] }));
  assert.equal(keyed.api_key, "6129dc1e8b64c6b4");
  assert.deepEqual(keyed.tags, ["pol-p1", "dev-d1", "key-6129dc1e8b64c6b4", "org-org1", "api-api1"]);
  const keyless = buildRecord(input({ orgId: "" }));
  assert.equal(keyless.api_key, "");
  assert.deepEqual(keyless.tags, ["api-api1"]);
});

test("tracked path, raw path, leading slash and version", () => {
  const tracked = buildRecord(input({ path: "users/42", trackedPath: "/users/{id}", apiVersion: "v2" }));
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
