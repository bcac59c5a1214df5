export interface ProxyOptions {
  /** Upstream response timeout (headers), ms. Default 30000. */
  timeoutMs?: number;
  /** Keep the client's Host header upstream (Tyk's preserve_host_header) instead of the target's host. */
  preserveHost?: boolean;
}

export type Body = ReadableStream<Uint8Array> | Uint8Array | null;

export interface ProxyInput {
  /** Full upstream URL (target_url joined with the rewritten path + query, already computed by the caller). */
  url: URL;
  method: string;
  /** The client's request headers after plugins changed them; not modified. */
  headers: Headers;
  body: Body;
  /** Appended to X-Forwarded-For; an empty string appends nothing. */
  clientIp: string;
  /**
   * Client went away -> abort upstream (before headers: send() rejects with signal.reason; after: the body errors).
   * Deno.serve's request.signal also fires after every successful response unless run with
   * --unstable-no-legacy-abort; that is harmless here (the exchange is over by then) but the flag is the intended set-up.
   */
  signal?: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  /** Hop-by-hop headers already removed; Content-Encoding and Content-Length are the upstream's, matching the body. */
  headers: Headers;
  /** The upstream's bytes as sent (still encoded), streamed or already read whole; null for HEAD and null-body statuses. */
  body: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer> | null;
}

/** A request as it goes on the wire: headers already rewritten for the upstream. */
export interface OutboundRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Body;
  /** Aborting it cancels the exchange: before headers the send promise rejects, after them the body stream errors. */
  signal: AbortSignal;
}

/** The HTTP client underneath; chosen by the caller per runtime (see index.ts). */
export interface Transport {
  /** Resolves when the upstream's response headers arrive; any failure before that rejects. */
  send(req: OutboundRequest): Promise<UpstreamResponse>;
  /** Closes pooled upstream connections. */
  close(): void;
}
