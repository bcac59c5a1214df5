// Every request that is not for the Gateway API: find its API, run its chain,
// and record what happened (metrics, analytics, one log line at debug).

import { randomUUID } from "node:crypto";
import type { AnalyticsSink } from "../analytics/sink.ts";
import { buildRecord } from "../analytics/record.ts";
import { TykMessage, tykError } from "../gateway/errors.ts";
import type { GatewayContext, RequestState } from "../gateway/state.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/index.ts";
import type { ApiRegistry } from "../registry/index.ts";
import { hashKey } from "../store/key-hash.ts";

export interface DispatchDeps {
  registry: ApiRegistry;
  metrics: Metrics;
  analytics: AnalyticsSink;
  log: Logger;
  /** 0 = unlimited. */
  maxBodyBytes: number;
  hashKeys: boolean;
  hashKeyFunction: string;
}

/** Caps a streamed body: reading past the limit errors the stream (the upstream request then fails). */
function limitStream(body: ReadableStream<Uint8Array>, max: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream({
      transform(chunk, ctl) {
        seen += chunk.length;
        if (seen > max) ctl.error(new Error(`request body over ${max} bytes`));
        else ctl.enqueue(chunk);
      },
    }),
  );
}

export function dispatch(deps: DispatchDeps) {
  return async function gatewayHandler(c: GatewayContext): Promise<Response> {
    const raw = c.req.raw;
    const url = new URL(raw.url);
    const api = deps.registry.match(url.pathname);
    if (!api) return tykError(404, TykMessage.notFound);
    const declared = Number(raw.headers.get("content-length") ?? 0);
    if (deps.maxBodyBytes > 0 && declared > deps.maxBodyBytes) return tykError(413, TykMessage.tooLarge);
    const started = performance.now();
    const st: RequestState = {
      id: raw.headers.get("x-request-id") ?? randomUUID(),
      api,
      startedAt: Date.now(),
      clientIp: c.env.remoteAddr.hostname.replace(/^::ffff:/, ""),
      clientPort: c.env.remoteAddr.port,
      method: raw.method,
      path: url.pathname,
      query: url.search.slice(1),
      host: raw.headers.get("host") ?? url.host,
      headers: new Headers(raw.headers),
      body: raw.body && deps.maxBodyBytes > 0 ? limitStream(raw.body, deps.maxBodyBytes) : raw.body,
      authToken: "",
      sessionUpdate: false,
      responseHeaders: new Headers(),
      upstreamMs: 0,
    };
    c.set("gw", st);
    const leave = deps.registry.enter(api);
    let res: Response;
    try {
      res = await api.chain(c);
    } catch (err) {
      deps.log.error({ api_id: api.id, request_id: st.id, err: (err as Error).stack ?? String(err) }, "request failed");
      res = tykError(500, TykMessage.internal);
    } finally {
      leave();
    }
    const totalMs = performance.now() - started;
    deps.metrics.request(api.id, res.status, totalMs, st.upstreamMs);
    if (!api.def.do_not_track) deps.analytics.write(record(deps, st, url, raw, res.status, totalMs));
    return res;
  };
}

function record(deps: DispatchDeps, st: RequestState, url: URL, raw: Request, status: number, totalMs: number) {
  const key = st.authToken ? (deps.hashKeys ? hashKey(st.authToken, deps.hashKeyFunction as "") : st.authToken) : "";
  return buildRecord({
    method: raw.method,
    host: st.host,
    path: url.pathname,
    contentLength: Number(raw.headers.get("content-length") ?? 0),
    userAgent: raw.headers.get("user-agent") ?? "",
    status,
    apiId: st.api.id,
    apiName: st.api.name,
    orgId: st.api.orgId,
    apiKey: key,
    alias: typeof st.session?.alias === "string" ? st.session.alias : "",
    ip: st.clientIp,
    startedAtMs: st.startedAt,
    totalMs,
    upstreamMs: st.upstreamMs,
  });
}
