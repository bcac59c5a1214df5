// One analytics record per proxied request, shaped as Tyk Pump's AnalyticsRecord serialises to JSON (the json tags
// of tyk-pump/analytics), so files written from it can be read by tooling built for Tyk's records.

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
  tags: string[];
  alias: string;
  track_path: boolean;
  expireAt: string;
}

export interface RecordInput {
  method: string;
  /** The request URL's host, or the API's target host when the URL has none. */
  host: string;
  /** The request path as proxied (after strip_listen_path), decoded. */
  path: string;
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
  /**
   * The key as Tyk records it: storage.HashKey(token), i.e. its hash when hash_keys is on and the raw key otherwise.
   * Hashing stays with the caller, which knows hash_keys and the hash function. Not the alias: that is `alias`.
   */
  apiKey?: string;
  oauthClientId?: string;
  alias?: string;
  ip: string;
  /** Session and tag-header tags; the key-, org- and api- tags Tyk appends are added here. */
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

export function buildRecord(input: RecordInput): AnalyticsRecord {
  // Tyk stamps the record when it is made (time.Now() in RecordHit), i.e. once the response is in, not on arrival.
  const recordedAtMs = input.startedAtMs + input.totalMs;
  const at = new Date(recordedAtMs);
  // Go converts float ms to int64 by truncation.
  const total = Math.max(0, Math.trunc(input.totalMs));
  const upstream = Math.max(0, Math.trunc(input.upstreamMs));
  const apiKey = input.apiKey ?? "";
  // The tags Tyk's analytics worker appends before encoding.
  const tags = input.tags ? [...input.tags] : [];
  if (apiKey !== "") tags.push(`key-${apiKey}`);
  if (input.orgId !== "") tags.push(`org-${input.orgId}`);
  tags.push(`api-${input.apiId}`);
  const expireAfterMs = input.expireAfterSeconds ? input.expireAfterSeconds * 1000 : HUNDRED_YEARS_MS;

  return {
    method: input.method,
    host: input.host,
    path: leadingSlash(input.trackedPath ?? input.path),
    raw_path: leadingSlash(input.path),
    content_length: input.contentLength,
    user_agent: input.userAgent,
    day: at.getDate(),
    month: at.getMonth() + 1,
    year: at.getFullYear(),
    hour: at.getHours(),
    response_code: input.status,
    api_key: apiKey,
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
    tags,
    alias: input.alias ?? "",
    track_path: input.trackedPath !== undefined,
    expireAt: rfc3339Local(recordedAtMs + expireAfterMs),
  };
}

// Tyk's worker fixes paths that lost their leading "/".
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
