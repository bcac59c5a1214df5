// One analytics record per proxied request, shaped as Tyk Pump's AnalyticsRecord serialises to JSON (the json tags
// of tyk-pump/analytics), so files written from it can be read by tooling built for Tyk's records. A record is made
// in two steps, as in Tyk: buildRecord is Tyk's RecordHit (what an API's analytics plugin is given), finishRecord is
// what Tyk's analytics worker adds before the record is stored (the key hashed, the key-, org- and api- tags).
import { z } from "zod";
import { dataRecord } from "../config/records.ts";
import { hashKey } from "../store/key-hash.ts";

/** Tyk's Latency, in whole milliseconds. `gateway` is total - upstream (added in Tyk Pump 1.13 / Tyk 5.x). */
export interface Latency {
  total: number;
  upstream: number;
  gateway: number;
}

/** Tyk's GeoData. Empty unless GeoIP lookup is on; `names` is null when empty, as Go encodes a nil map. */
export interface GeoData {
  country: { iso_code: string };
  city: { geoname_id: number; names: Record<string, string> | null };
  location: { latitude: number; longitude: number; time_zone: string };
}

/** Pump's GraphError: one error of a GraphQL response. */
export interface GraphError {
  message: string;
  /** null when empty, as Go encodes a nil slice. */
  path: unknown[] | null;
}

/** Pump's GraphQLStats (no json tags: Go field names). Zero for APIs that are not GraphQL, as here. */
export interface GraphQLStats {
  Variables: string;
  RootFields: string[] | null;
  Types: Record<string, string[] | null> | null;
  Errors: GraphError[] | null;
  /** 0 unknown, 1 query, 2 mutation, 3 subscription. */
  OperationType: number;
  HasErrors: boolean;
  IsGraphQL: boolean;
}

/** Pump's MCPStats. Zero for APIs that are not MCP, as here. */
export interface MCPStats {
  is_mcp: boolean;
  jsonrpc_method: string;
  primitive_type: string;
  primitive_name: string;
}

/** Tyk's NetworkStats: only filled for TCP proxying, zero for HTTP. */
export interface NetworkStats {
  open_connections: number;
  closed_connections: number;
  bytes_in: number;
  bytes_out: number;
}

export interface AnalyticsRecord {
  method: string;
  host: string;
  /** The tracked path (track_endpoints) if any, else the request path. */
  path: string;
  /** The request path, decoded (Tyk records r.URL.Path here, not the encoded form). */
  raw_path: string;
  /** Request Content-Length; -1 when unknown (chunked), as Go's http.Request reports it. */
  content_length: number;
  user_agent: string;
  day: number;
  /** 1-12: Go's time.Month encodes as a number. */
  month: number;
  year: number;
  hour: number;
  response_code: number;
  /** The key as Tyk stores it: hashed when hash_keys is on, else as presented; "" when unauthenticated. */
  api_key: string;
  /** RFC 3339 with milliseconds and the gateway's UTC offset. */
  timestamp: string;
  api_version: string;
  api_name: string;
  api_id: string;
  org_id: string;
  oauth_id: string;
  /** Equal to latency.total, in ms. */
  request_time: number;
  /** Base64 of the wire-format request; "" unless detailed recording is on. */
  raw_request: string;
  raw_response: string;
  ip_address: string;
  geo: GeoData;
  network: NetworkStats;
  latency: Latency;
  /** null when a plugin left Go's nil slice. */
  tags: string[] | null;
  alias: string;
  track_path: boolean;
  expireAt: string;
  /** Base64 of a GraphQL API's schema; "" here. */
  api_schema: string;
  /** The request path as the client sent it, listen path included (Tyk 5.x). */
  original_path: string;
  /** The API's proxy.listen_path as its definition has it (Tyk 5.x). */
  listen_path: string;
  graphql_stats: GraphQLStats;
  mcp_stats: MCPStats;
  /**
   * Pump's CollectionName: where some pumps store the record (default: their own table). Pump's JSON leaves it
   * out (json:"-") and so does the file sink; Tyk sends it to Pump (msgpack), and so does the Redis sink. Set only
   * by an analytics plugin.
   */
  collection_name?: string;
}

export interface RecordInput {
  method: string;
  /** The request URL's host, or the API's target host when the URL has none. */
  host: string;
  /** The request path as proxied (after strip_listen_path), decoded. */
  path: string;
  /** The request path as received, listen path included. */
  originalPath: string;
  /** The API's proxy.listen_path, as written in its definition. */
  listenPath: string;
  /** The path from track_endpoints, when the endpoint is tracked. */
  trackedPath?: string;
  contentLength: number;
  userAgent: string;
  status: number;
  apiId: string;
  apiName: string;
  orgId: string;
  /** The version name; Tyk records "Non Versioned" when there is none. */
  apiVersion?: string;
  /** The key the request authenticated with, as presented (ctx.GetAuthToken); finishRecord hashes it. Not the alias. */
  apiKey?: string;
  oauthClientId?: string;
  alias?: string;
  ip: string;
  /** Session and tag-header tags; finishRecord appends the key-, org- and api- tags. */
  tags?: readonly string[];
  rawRequest?: string;
  rawResponse?: string;
  geo?: GeoData;
  /** When the gateway received the request, epoch ms. */
  startedAtMs: number;
  totalMs: number;
  upstreamMs: number;
  /** The API's expire_analytics_after in seconds; 0 or absent means 100 years, as in Tyk. */
  expireAfterSeconds?: number;
}

const HUNDRED_YEARS_MS = 100 * 365 * 24 * 3600 * 1000;

function emptyGeo(): GeoData {
  return {
    country: { iso_code: "" },
    city: { geoname_id: 0, names: null },
    location: { latitude: 0, longitude: 0, time_zone: "" },
  };
}

/** A record as Tyk's RecordHit builds it: what an API's analytics plugin gets. Store it through finishRecord. */
export function buildRecord(input: RecordInput): AnalyticsRecord {
  // Tyk stamps the record when it is made (time.Now() in RecordHit), i.e. once the response is in, not on arrival.
  const recordedAtMs = input.startedAtMs + input.totalMs;
  const at = new Date(recordedAtMs);
  // Go converts float ms to int64 by truncation.
  const total = Math.max(0, Math.trunc(input.totalMs));
  const upstream = Math.max(0, Math.trunc(input.upstreamMs));
  const expireAfterMs = input.expireAfterSeconds ? input.expireAfterSeconds * 1000 : HUNDRED_YEARS_MS;

  return {
    method: input.method,
    host: input.host,
    path: input.trackedPath ?? input.path,
    raw_path: input.path,
    content_length: input.contentLength,
    user_agent: input.userAgent,
    day: at.getDate(),
    month: at.getMonth() + 1,
    year: at.getFullYear(),
    hour: at.getHours(),
    response_code: input.status,
    api_key: input.apiKey ?? "",
    timestamp: rfc3339Local(recordedAtMs),
    api_version: input.apiVersion || "Non Versioned",
    api_name: input.apiName,
    api_id: input.apiId,
    org_id: input.orgId,
    oauth_id: input.oauthClientId ?? "",
    request_time: total,
    raw_request: input.rawRequest ?? "",
    raw_response: input.rawResponse ?? "",
    ip_address: input.ip,
    geo: input.geo ?? emptyGeo(),
    network: { open_connections: 0, closed_connections: 0, bytes_in: 0, bytes_out: 0 },
    latency: { total, upstream, gateway: Math.max(0, total - upstream) },
    tags: input.tags ? [...input.tags] : [],
    alias: input.alias ?? "",
    track_path: input.trackedPath !== undefined,
    expireAt: rfc3339Local(recordedAtMs + expireAfterMs),
    api_schema: "",
    original_path: input.originalPath,
    listen_path: input.listenPath,
    graphql_stats: {
      Variables: "",
      RootFields: null,
      Types: null,
      Errors: null,
      OperationType: 0,
      HasErrors: false,
      IsGraphQL: false,
    },
    mcp_stats: { is_mcp: false, jsonrpc_method: "", primitive_type: "", primitive_name: "" },
  };
}

/**
 * What Tyk's analytics worker does to a record (after its API's analytics plugin) before storing it: the key
 * hashed with the algorithm the key names for itself (storage.HashKey) when `hashKeys`, the key-, org- and api-
 * tags appended, and paths that lost their leading "/" fixed. Changes `rec` and returns it.
 */
export function finishRecord(rec: AnalyticsRecord, hashKeys: boolean): AnalyticsRecord {
  if (hashKeys) rec.api_key = hashKey(rec.api_key, "");
  const tags = rec.tags ?? [];
  if (rec.api_key !== "") tags.push(`key-${rec.api_key}`);
  if (rec.org_id !== "") tags.push(`org-${rec.org_id}`);
  tags.push(`api-${rec.api_id}`);
  rec.tags = tags;
  rec.path = leadingSlash(rec.path);
  rec.raw_path = leadingSlash(rec.raw_path);
  if (rec.original_path !== "") rec.original_path = leadingSlash(rec.original_path);
  return rec;
}

function leadingSlash(p: string): string {
  return p.startsWith("/") ? p : `/${p}`;
}

/** RFC 3339 in the process's local zone, "Z" when that is UTC (as Go's time.Time marshals). */
function rfc3339Local(ms: number): string {
  const d = new Date(ms);
  const offsetMin = -d.getTimezoneOffset();
  const zone = offsetMin === 0
    ? "Z"
    : `${offsetMin > 0 ? "+" : "-"}${pad(Math.floor(Math.abs(offsetMin) / 60), 2)}:${pad(Math.abs(offsetMin) % 60, 2)}`;
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)}T${pad(d.getHours(), 2)}:` +
    `${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(d.getMilliseconds(), 3)}${zone}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

// ---- Records coming back from an analytics plugin -------------------------------------------------------------------

const int = z.number().int();
const strings = z.array(z.string()).nullable();

/**
 * A record as Go encodes Pump's AnalyticsRecord to JSON (every field, times as RFC 3339), plus `collection_name`:
 * what an analytics plugin hands back (see shim-go/analytics.go).
 */
export const AnalyticsRecordSchema: z.ZodType<AnalyticsRecord> = z.object({
  method: z.string(),
  host: z.string(),
  path: z.string(),
  raw_path: z.string(),
  content_length: int,
  user_agent: z.string(),
  day: int,
  month: int,
  year: int,
  hour: int,
  response_code: int,
  api_key: z.string(),
  timestamp: z.string(),
  api_version: z.string(),
  api_name: z.string(),
  api_id: z.string(),
  org_id: z.string(),
  oauth_id: z.string(),
  request_time: int,
  raw_request: z.string(),
  raw_response: z.string(),
  ip_address: z.string(),
  geo: z.object({
    country: z.object({ iso_code: z.string() }),
    city: z.object({ geoname_id: int, names: dataRecord(z.string()).nullable() }),
    location: z.object({ latitude: z.number(), longitude: z.number(), time_zone: z.string() }),
  }),
  network: z.object({ open_connections: int, closed_connections: int, bytes_in: int, bytes_out: int }),
  latency: z.object({ total: int, upstream: int, gateway: int }),
  tags: strings,
  alias: z.string(),
  track_path: z.boolean(),
  expireAt: z.string(),
  api_schema: z.string(),
  original_path: z.string(),
  listen_path: z.string(),
  graphql_stats: z.object({
    Variables: z.string(),
    RootFields: strings,
    Types: dataRecord(strings).nullable(),
    Errors: z.array(z.object({ message: z.string(), path: z.array(z.unknown()).nullable() })).nullable(),
    OperationType: int,
    HasErrors: z.boolean(),
    IsGraphQL: z.boolean(),
  }),
  mcp_stats: z.object({
    is_mcp: z.boolean(),
    jsonrpc_method: z.string(),
    primitive_type: z.string(),
    primitive_name: z.string(),
  }),
  collection_name: z.string().optional(),
});
