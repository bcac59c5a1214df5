// One run of Go hooks on a request's live Go twin, with what every run does
// around it: opening the twin on the first run, sending what the gateway
// changed since the last one, the timeout, Tyk's instrumentation per hook,
// and a generic 500 for a panic.
import { CallAbandonedError, ShimCallError } from "../../../ffi/shim.ts";
import { Status } from "../../../ffi/abi.ts";
import type { GatewayChanges, OpenSection, RunRequest, RunResult } from "../../../ffi/wire.ts";
import { TykMessage, tykError } from "../../gateway/errors.ts";
import { bufferedBody, type RequestState, requestUri } from "../../gateway/state.ts";
import type { Logger } from "../../log.ts";
import type { Metrics } from "../../metrics/index.ts";
import { CLIENT_GONE, hooksOf, type PluginDriver, type RunStep } from "../../plugin-driver/index.ts";

export interface PluginCallDeps {
  driver: PluginDriver;
  metrics: Metrics;
  log: Logger;
  /** A run not answered by then fails its request with 504. */
  timeoutMs: number;
}

/** The client's request body broke off while it was read: the client left, or its framing was broken. */
class ClientBodyError extends Error {
  override name = "ClientBodyError";
}

/**
 * `body` with the errors of its source (the client's connection) turned into
 * ClientBodyError; what the gateway itself refuses while reading (a size
 * limit) stays as it is.
 */
function fromClient(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream({
    async pull(ctl) {
      const chunk = await reader.read().catch((err: unknown) => {
        throw new ClientBodyError(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      });
      if (chunk.done) ctl.close();
      else ctl.enqueue(chunk.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** The request as Go first sees it. Throws ClientBodyError when the client's body breaks off. */
async function openSection(st: RequestState): Promise<OpenSection> {
  if (st.body instanceof ReadableStream) st.body = fromClient(st.body);
  const body = await bufferedBody(st);
  const headers: Array<[string, string]> = [];
  // Go keeps Host out of r.Header (it is r.Host).
  st.headers.forEach((value, name) => name !== "host" && headers.push([name, value]));
  return {
    method: st.method,
    uri: st.absoluteUrl ? st.absoluteUrl.href : requestUri(st),
    host: st.host,
    proto: "HTTP/1.1",
    remoteAddr: `${st.clientIp}:${st.clientPort}`,
    headers,
    body,
  };
}

/**
 * Runs `steps` (hooks, and policies gates between them) in one entry into
 * Go.
 * `extra` carries what only this run needs (the upstream's answer for
 * response hooks; wantSession when a step reading the session follows). Resolves to the run's
 * result, or to the Response that ends the request: 504 when the run timed
 * out, 499 when the client left during it (`signal`), 500 when a hook
 * panicked, 503 while too many timed-out runs are still stuck in plugins,
 * 400 when Go cannot take the request as sent (its URI does not parse) or
 * the client's body broke off before the first hook (one warning: a client
 * aborting uploads is no fault of the gateway's).
 */
export async function runHooks(
  deps: PluginCallDeps,
  kind: "request" | "response",
  st: RequestState,
  steps: readonly RunStep[],
  extra: GatewayChanges & { wantSession?: boolean } = {},
  signal?: AbortSignal,
): Promise<RunResult | Response> {
  let open: OpenSection | undefined;
  if (st.goRequest === 0) {
    try {
      open = await openSection(st);
    } catch (err) {
      if (!(err instanceof ClientBodyError)) throw err;
      deps.log.warn({ api_id: st.api.id, request_id: st.id, err: err.message }, "the client's request body broke off; request dropped");
      return tykError(400, "Bad Request");
    }
  }
  const req: Omit<RunRequest, "hooks"> = open
    // A new twin gets the whole request, and the session and key the gateway already has.
    ? { open, ...(st.authToken ? { authToken: st.authToken } : {}), ...extra }
    : { ...st.goChanges, ...extra };
  if (st.session && (st.goRequest === 0 || st.goSessionStale)) {
    req.session = st.sessionJson ??= JSON.stringify(st.session);
    req.sessionInPlace = st.goSessionInPlace;
  }
  st.goChanges = {};
  st.goSessionStale = false;
  st.goSessionInPlace = false;
  let result: RunResult;
  try {
    const run = deps.driver.run(st.api.shimApi, st.goRequest, req, steps, { apiId: st.api.id, requestId: st.id }, deps.timeoutMs, signal);
    st.goRequest = run.request;
    result = await run.result;
  } catch (err) {
    if (err instanceof ShimCallError) {
      if (err.request) st.goRequest = err.request;
      if (err.status === Status.E_BAD_INPUT && req.open) return tykError(400, "Bad Request");
      if (err.status === Status.E_BUSY) {
        // Plugins are stuck (too many abandoned runs still running): refuse rather than pile up more.
        deps.log.error({ api_id: st.api.id, request_id: st.id }, err.message);
        return tykError(503, "Service Unavailable");
      }
    }
    if (!(err instanceof CallAbandonedError)) throw err;
    const plugins = hooksOf(steps);
    if (err.message === CLIENT_GONE) {
      // Nobody is left to answer; the request ends now and its Go twin (and context) with it.
      deps.log.debug({ api_id: st.api.id, request_id: st.id }, "client left during a plugin run");
      return tykError(499, "Client closed request");
    }
    for (const p of plugins) deps.metrics.pluginCall(kind, p.path, p.symbol, deps.timeoutMs * 1e6, true);
    deps.log.error({ api_id: st.api.id, request_id: st.id, plugins: plugins.map((p) => `${p.path}:${p.symbol}`) }, `plugin call timed out after ${deps.timeoutMs} ms`);
    return tykError(504, "Plugin call timed out");
  }
  const plugins = hooksOf(steps);
  result.hooks.forEach((h, i) => deps.metrics.pluginCall(kind, plugins[i].path, plugins[i].symbol, h.execNs, h.panic !== undefined));
  return result.panicked ? tykError(500, TykMessage.internal) : result;
}
