// Upstream client over Bun's fetch with `decompress: false`, which passes encoded bytes through untouched. Only for Bun:
// Deno's fetch ignores that option and hands back decoded bytes under the upstream's Content-Encoding, corrupting them.
import { declaredLength } from "../gateway/body.ts";
import { responseHeadersFrom } from "./headers.ts";
import type { OutboundRequest, Transport, UpstreamResponse } from "./types.ts";

/** Bun's extensions to RequestInit (`duplex` is standard but missing from some lib typings). */
interface BunRequestInit extends RequestInit {
  decompress?: boolean;
  duplex?: "half";
}

/**
 * Bun.serve sends a streamed body chunked, dropping the Content-Length set on it (oven-sh/bun#10507); only a body it
 * has whole keeps its length. So an answer with a declared length of up to this many bytes (what a streamed body may
 * have buffered ahead of the client anyway) is read before it is passed on, and keeps its Content-Length; a longer
 * one streams, chunked, as Bun.serve offers no other way.
 */
const KEEP_LENGTH_MAX = 64 * 1024;

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
    const headers = responseHeadersFrom(res.headers);
    // Bun already gives HEAD and null-body statuses a null body (covered by the tests).
    if (res.body === null) return { status: res.status, headers, body: null };
    const length = declaredLength(headers.get("content-length"));
    const body = length !== undefined && length <= KEEP_LENGTH_MAX ? new Uint8Array(await res.arrayBuffer()) : res.body;
    return { status: res.status, headers, body };
  }

  // Bun's fetch keeps one connection pool per process; there is nothing of ours to release.
  return { send, close() {} };
}
