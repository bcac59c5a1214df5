import { type AnalyticsRecord, buildRecord } from "../../src/analytics/record.ts";

/** A small analytics record, the n-th of a series (path /r<n>). */
export function rec(n: number): AnalyticsRecord {
  return buildRecord({
    method: "GET",
    host: "up",
    path: `/r${n}`,
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
