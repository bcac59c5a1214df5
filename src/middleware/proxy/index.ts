// The end of every chain: send the request upstream, stream the answer back,
// and let response hooks rewrite it. 502 when the upstream cannot be reached,
// 504 when it does not answer in time (Tyk's messages).

import { TykMessage, tykError } from "../../gateway/errors.ts";
import type { GatewayContext, RequestState } from "../../gateway/state.ts";
import type { Logger } from "../../log.ts";
import { UpstreamError, type UpstreamClient } from "../../proxy/index.ts";
import type { ResponseStep } from "../response-plugin/index.ts";

export interface ProxyStepOptions {
  client: UpstreamClient;
  timeoutMs: number;
  preserveHost: boolean;
  stripListenPath: boolean;
  /** Response hooks, if the API has any. */
  responseStep?: ResponseStep;
  log: Logger;
}

/** target_url joined with the request path (listen path removed when strip_listen_path), as Go's singleJoiningSlash. */
export function upstreamUrl(target: URL, st: RequestState, strip: boolean): URL {
  if (st.absoluteUrl) return st.absoluteUrl;
  let path = st.path;
  if (strip) {
    // Tyk's StripListenPath: only a path that starts with the listen path loses it (a plugin may have set
    // "/another/x" under "/an/"), and what is left starts with "/".
    const lp = st.api.listenPath.replace(/\/$/, "");
    if (path === lp || path.startsWith(`${lp}/`)) path = path.slice(lp.length);
  }
  const base = target.pathname;
  let joined: string;
  if (base.endsWith("/") && path.startsWith("/")) joined = base + path.slice(1);
  else if (!base.endsWith("/") && !path.startsWith("/") && path !== "") joined = `${base}/${path}`;
  else joined = base + path;
  return new URL(`${target.origin}${joined || "/"}${st.query ? `?${st.query}` : ""}`);
}

export function proxyStep(opts: ProxyStepOptions): (c: GatewayContext) => Promise<Response> {
  return async function proxyToUpstream(c) {
    const st = c.var.gw;
    const url = upstreamUrl(st.api.target, st, opts.stripListenPath);
    const started = performance.now();
    let upstream;
    try {
      upstream = await opts.client.send(
        { url, method: st.method, headers: st.headers, body: st.body, clientIp: st.clientIp, signal: c.req.raw.signal },
        { timeoutMs: opts.timeoutMs, preserveHost: opts.preserveHost },
      );
    } catch (err) {
      st.upstreamMs = performance.now() - started;
      if (err instanceof UpstreamError) {
        opts.log.warn({ api_id: st.api.id, request_id: st.id, upstream: url.origin, err: err.message }, "upstream failed");
        return err.kind === "timeout" ? tykError(504, TykMessage.upstreamTimeout) : tykError(502, TykMessage.proxyFailed);
      }
      throw err;
    }
    st.upstreamMs = performance.now() - started;
    if (opts.responseStep) st.upstream = { url: url.href, host: opts.preserveHost ? st.host : url.host };
    const responseHeaders = upstream.headers;
    // Headers plugins set on the ResponseWriter go out with the upstream's, as with Tyk's shared writer.
    st.responseHeaders.forEach((v, k) => responseHeaders.append(k, v));
    const res = new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
    return opts.responseStep ? opts.responseStep(c, res) : res;
  };
}
