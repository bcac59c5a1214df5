// Every request that is not for the Gateway API: find its API, run its chain,
// and record what happened (metrics, analytics, one log line at debug).

import type { AnalyticsRecorder } from "../analytics/recorder.ts";
import { type AnalyticsRecord, buildRecord } from "../analytics/record.ts";
import { recordDetailed } from "../analytics/detail.ts";
import { httpBadRequest, TykMessage, tykError } from "../gateway/errors.ts";
import { currentSession, type GatewayContext, type RequestState, requestUri } from "../gateway/state.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/index.ts";
import type { PluginDriver } from "../plugin-driver/index.ts";
import type { ApiRegistry } from "../registry/index.ts";
import { StoreUnavailableError } from "../store/redis.ts";
import { canonicalPath } from "../gateway/request-path.ts";
import { BodyBudgetError, BodyHold, BodyTooLargeError, type HeldBodyLimits } from "../gateway/body.ts";
import { admitBody, entityTooLarge } from "./request-body.ts";

export interface DispatchDeps {
  registry: ApiRegistry;
  metrics: Metrics;
  /** Absent when enable_analytics is off: then no record is even built. */
  analytics?: Pick<AnalyticsRecorder, "write">;
  log: Logger;
  /** http_server_options.max_request_body_size: bytes, 0 = none (see request-body.ts). */
  maxBodyBytes: number;
  /** Bytes of a body a request may have held in memory (gateway/body.ts). */
  heldBodyLimits: HeldBodyLimits;
  /** http_server_options.skip_url_cleaning (see gateway/request-path.ts). */
  skipUrlCleaning: boolean;
  /** Releases each request's Go twin when the request ends. */
  driver: Pick<PluginDriver, "release">;
}

/** Path and query of an absolute request URL, without the cost of a URL object. */
export function splitUrl(href: string): { path: string; query: string } {
  const start = href.indexOf("/", href.indexOf("//") + 2);
  if (start < 0) return { path: "/", query: "" };
  const q = href.indexOf("?", start);
  const hash = href.indexOf("#", start);
  const end = hash < 0 ? href.length : hash;
  return q < 0 || q > end ? { path: href.slice(start, end), query: "" } : { path: href.slice(start, q), query: href.slice(q + 1, end) };
}

export function dispatch(deps: DispatchDeps) {
  // Request ids: unique per process and cheap (a UUID per request costs more than routing it).
  const idPrefix = `${process.pid.toString(36)}-${Date.now().toString(36)}-`;
  let seq = 0;
  return async function gatewayHandler(c: GatewayContext): Promise<Response> {
    const raw = c.req.raw;
    const url = splitUrl(raw.url);
    const target = canonicalPath(url.path, url.query, deps.skipUrlCleaning);
    if (target.kind === "bad") return httpBadRequest();
    if (target.kind === "redirect") return new Response(null, { status: 301, headers: { location: target.location } });
    const route = deps.registry.match(target.route);
    if (!route) return tykError(404, TykMessage.notFound);
    // Definitions conflict over this listen path (logged at load): none is served, nor anything shorter.
    if (route === "conflict") return tykError(500, TykMessage.internal);
    const { api } = route;
    // The client encoded part of the listen path: Tyk's stripping then falls back to Go's own encoding.
    const path = target.path.startsWith(api.listenPath.slice(0, -1)) ? target.path : target.goEncoded;
    const headers = new Headers(raw.headers);
    const hold = new BodyHold(deps.heldBodyLimits.budget);
    const body = await admitBody(raw, headers, deps.maxBodyBytes, hold);
    if (body instanceof Response) {
      hold.release();
      return body;
    }
    const started = performance.now();
    const st: RequestState = {
      id: raw.headers.get("x-request-id") ?? idPrefix + (++seq).toString(36),
      api,
      startedAt: Date.now(),
      clientIp: c.env.remoteAddr.hostname.replace(/^::ffff:/, ""),
      clientPort: c.env.remoteAddr.port,
      method: raw.method,
      path,
      query: url.query,
      host: raw.headers.get("host") ?? "",
      headers,
      body,
      bodyLimits: deps.heldBodyLimits,
      hold,
      authToken: "",
      sessionUpdate: false,
      responseHeaders: new Headers(),
      upstreamMs: 0,
      goRequest: 0,
      goChanges: {},
    };
    c.set("gw", st);
    const leave = deps.registry.enter(api);
    let res: Response;
    try {
      res = await api.chain(c);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        res = entityTooLarge();
      } else if (err instanceof BodyBudgetError) {
        res = tykError(503, "Service Unavailable");
      } else if (err instanceof StoreUnavailableError) {
        // Fail closed: without the key store no key can be checked or counted.
        deps.log.warn({ api_id: api.id, request_id: st.id, err: err.message }, "key store unavailable: request refused");
        res = tykError(503, "Key store unavailable");
      } else if (c.req.raw.signal.aborted) {
        // The client left and what waited on it (its body, the upstream call) was aborted: no fault of the gateway's.
        deps.log.debug({ api_id: api.id, request_id: st.id, err: String(err) }, "client left during the request");
        res = tykError(499, "Client closed request");
      } else {
        deps.log.error({ api_id: api.id, request_id: st.id, err: (err as Error).stack ?? String(err) }, "request failed");
        res = tykError(500, TykMessage.internal);
      }
    } finally {
      leave();
    }
    try {
      const totalMs = performance.now() - started;
      deps.metrics.request(api.id, res.status, totalMs, st.upstreamMs);
      if (deps.analytics && !api.def.do_not_track) {
        const plugin = api.analyticsPlugin?.ok ? api.analyticsPlugin.plugin : undefined;
        const write = (rec: AnalyticsRecord) => deps.analytics!.write(rec, plugin);
        const hit = record(st, url.path, raw, res.status, totalMs);
        const session = currentSession(st);
        // Tyk's recordDetail: the API's setting (or tyk.conf's), or the key's.
        if (api.detailedRecording || session?.enable_detailed_recording || session?.enable_detail_recording) {
          const body = st.body instanceof Uint8Array ? st.body : undefined;
          res = recordDetailed(hit, { method: st.method, uri: requestUri(st), host: st.host, headers: st.headers, body }, res, write);
        } else write(hit);
      }
    } finally {
      // After the record: it may read the session from the Go twin.
      deps.driver.release(st.goRequest);
      hold.release();
    }
    return res;
  };
}

/** The record as Tyk's RecordHit makes it (the key as presented: the recorder hashes it, after the analytics plugin). */
function record(st: RequestState, path: string, raw: Request, status: number, totalMs: number) {
  const session = currentSession(st);
  return buildRecord({
    method: raw.method,
    host: st.host,
    path,
    originalPath: path,
    listenPath: st.api.def.proxy.listen_path,
    contentLength: Number(raw.headers.get("content-length") ?? 0),
    userAgent: raw.headers.get("user-agent") ?? "",
    status,
    apiId: st.api.id,
    apiName: st.api.name,
    orgId: st.api.orgId,
    apiKey: st.authToken,
    alias: typeof session?.alias === "string" ? session.alias : "",
    ip: st.clientIp,
    startedAtMs: st.startedAt,
    totalMs,
    upstreamMs: st.upstreamMs,
  });
}
