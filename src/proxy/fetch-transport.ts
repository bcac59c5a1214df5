// Upstream client over Bun's fetch with `decompress: false`, which passes encoded bytes through untouched. Only for Bun:
// Deno's fetch ignores that option and hands back decoded bytes under the upstream's Content-Encoding, corrupting them.
import { responseHeadersFrom } from "./headers.ts";
import type { OutboundRequest, Transport, UpstreamResponse } from "./types.ts";

/** Bun's extensions to RequestInit (`duplex` is standard but missing from some lib typings). */
interface BunRequestInit extends RequestInit {
  decompress?: boolean;
  duplex?: "half";
}

export function createFetchTransport(): Transport {
  async function send(req: OutboundRequest): Promise<UpstreamResponse> {
    const init: BunRequestInit = {
      method: req.method,
      headers: req.headers,
      body: req.body as BodyInit | null,
      signal: req.signal,
      redirect: "manual", // a proxy passes 3xx through
      decompress: false,
      duplex: "half",
    };
    const res = await fetch(req.url, init);
    // Bun already gives HEAD and null-body statuses a null body (covered by the tests).
    return { status: res.status, headers: responseHeadersFrom(res.headers), body: res.body };
  }

  // Bun's fetch keeps one connection pool per process; there is nothing of ours to release.
  return { send, close() {} };
}
