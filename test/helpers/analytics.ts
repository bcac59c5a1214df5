import { type AnalyticsRecord, buildRecord, finishRecord } from "../../src/analytics/record.ts";

/** A small analytics record as RecordHit makes it (before the analytics worker's step), the n-th of a series (path /r<n>). */
export function hit(n: number): AnalyticsRecord {
  return buildRecord({
    method: "GET",
    host: "up",
    path: `/r${n}`,
    originalPath: `/api/r${n}`,
    listenPath: "/api/",
    contentLength: 0,
    userAgent: "t",
    status: 200,
    apiId: "api1",
    apiName: "A",
    orgId: "o",
    ip: "127.0.0.1",
    startedAtMs: 1_700_000_000_000 + n,
    totalMs: 2,
    upstreamMs: 1,
  });
}

/** The same record as sinks get it. */
export function rec(n: number): AnalyticsRecord {
  return finishRecord(hit(n), false);
}
