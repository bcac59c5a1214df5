// The upstream half of the gateway: sends a client's request to its target and streams the answer back untouched.
//
// The HTTP client underneath is a Transport chosen by the caller, so this module touches no runtime globals:
// - createNodeTransport() (node:http + keep-alive Agent) is correct under both runtimes and the default;
// - createFetchTransport() (fetch with decompress:false) is correct only under Bun, where it is faster
//   (see scripts/bench-proxy.ts for the numbers behind that choice).
import { UpstreamError } from "./errors.ts";
import { upstreamRequestHeaders } from "./headers.ts";
import { createNodeTransport } from "./node-transport.ts";
import type { ProxyInput, ProxyOptions, Transport, UpstreamResponse } from "./types.ts";

export { UpstreamError } from "./errors.ts";
export { hasNoBody } from "./headers.ts";
export type { UpstreamErrorKind } from "./errors.ts";
export { createNodeTransport } from "./node-transport.ts";
export { createFetchTransport } from "./fetch-transport.ts";
export type { OutboundRequest, ProxyInput, ProxyOptions, Transport, UpstreamResponse } from "./types.ts";

const DEFAULT_TIMEOUT_MS = 30_000;

export interface UpstreamClient {
  /**
   * Resolves once the upstream's response headers arrive (the body then streams). Rejects with UpstreamError when the
   * upstream gives no response, or with `input.signal.reason` when the client went away first.
   */
  send(input: ProxyInput, opts?: ProxyOptions): Promise<UpstreamResponse>;
  /** Closes pooled upstream connections. */
  close(): void;
}

/** `defaults` apply to every send; per-API options passed to send() override them. */
export function createUpstreamClient(
  defaults: ProxyOptions = {},
  transport: Transport = createNodeTransport(),
): UpstreamClient {
  async function send(input: ProxyInput, opts: ProxyOptions = {}): Promise<UpstreamResponse> {
    const timeoutMs = opts.timeoutMs ?? defaults.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const preserveHost = opts.preserveHost ?? defaults.preserveHost ?? false;
    // The timeout covers the wait for response headers only; a long download is not cut off.
    // One controller that both the timeout and the client abort, rather than
    // AbortSignal.any: a signal combined that way did not abort the exchange in
    // either runtime when its timeout fired (and costs more per request).
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new UpstreamError("timeout", `no response from ${input.url.origin} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    // Kept for the request's life: a client leaving mid-body stops the upstream download too.
    input.signal?.addEventListener("abort", () => deadline.abort(input.signal!.reason), { once: true });
    const signal = deadline.signal;
    try {
      return await transport.send({
        url: input.url,
        method: input.method,
        headers: upstreamRequestHeaders(input.headers, input.url, input.clientIp, preserveHost),
        body: input.body,
        signal,
      });
    } catch (err) {
      if (input.signal?.aborted) throw input.signal.reason;
      if (deadline.signal.aborted) throw deadline.signal.reason;
      const detail = err instanceof Error ? err.message : String(err);
      throw new UpstreamError("unreachable", `upstream ${input.url.origin} failed: ${detail}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  return { send, close: () => transport.close() };
}
