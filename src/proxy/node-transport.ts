// Upstream client over node:http / node:https, which Deno and Bun both implement. Unlike their fetch, it hands back the
// upstream's bytes undecoded (Deno's fetch always decompresses and cannot be told not to), and its keep-alive Agent pools
// connections per host.
import type { ClientRequest, IncomingMessage } from "node:http";
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { hasNoBody, responseHeadersFromRaw } from "./headers.ts";
import type { OutboundRequest, Transport, UpstreamResponse } from "./types.ts";

/** Bytes of response body buffered ahead of the client before the upstream socket is paused. */
const BODY_HIGH_WATER = 64 * 1024;
/** Idle connections kept per upstream host: Tyk's recommended production max_idle_connections_per_host. */
const MAX_IDLE_PER_HOST = 500;

export function createNodeTransport(): Transport {
  const agentOptions = { keepAlive: true, maxFreeSockets: MAX_IDLE_PER_HOST };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);

  function send(req: OutboundRequest): Promise<UpstreamResponse> {
    const { url, signal } = req;
    if (signal.aborted) return Promise.reject(signal.reason);
    const secure = url.protocol === "https:";
    const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1"); // IPv6 literal without brackets
    const out = (secure ? https : http).request({
      hostname,
      port: url.port || undefined,
      path: url.pathname + url.search,
      method: req.method,
      headers: req.headers,
      agent: secure ? httpsAgent : httpAgent,
      // SNI and certificate check against the target, not the Host header (which preserveHost may have kept as the client's).
      ...(secure ? { servername: isIP(hostname) ? "" : hostname } : {}),
    });
    return new Promise<UpstreamResponse>((resolve, reject) => {
      let settled = false;
      // Aborting before the response rejects send() at once (Deno's node:http does not always report a request
      // destroyed on a reused keep-alive socket); after it, destroying the request errors the body stream.
      const onAbort = () => {
        const err = asError(signal.reason);
        if (!settled) {
          settled = true;
          reject(err);
        }
        out.destroy(err);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      const done = () => signal.removeEventListener("abort", onAbort);
      // Kept for the request's whole life, as an 'error' without a listener would crash the process; after
      // 'response' the body stream reports the failure.
      out.on("error", (err) => {
        if (settled) return;
        settled = true;
        done();
        reject(err);
      });
      out.on("response", (res: IncomingMessage) => {
        settled = true;
        // The abort listener stays until the response is over (not the request's 'close', which Deno emits
        // early on reused sockets).
        res.on("close", done);
        const status = res.statusCode ?? 502;
        const headers = responseHeadersFromRaw(res.rawHeaders);
        if (hasNoBody(req.method, status)) {
          res.resume(); // drain so the socket returns to the pool
          resolve({ status, headers, body: null });
        } else {
          resolve({ status, headers, body: bodyStream(res) });
        }
      });
      writeBody(req.body, out);
    });
  }

  return {
    send,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function writeBody(body: OutboundRequest["body"], out: ClientRequest): void {
  if (body === null) out.end();
  else if (body instanceof Uint8Array) out.end(body);
  else void pipeBody(body, out);
}

/** Streams the client's body upstream with backpressure; stops reading it when the upstream request dies. */
async function pipeBody(body: ReadableStream<Uint8Array>, out: ClientRequest): Promise<void> {
  const reader = body.getReader();
  const stop = () => reader.cancel().catch(() => {});
  out.once("close", stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (out.destroyed) return;
      if (done) {
        out.off("close", stop);
        out.end();
        return;
      }
      if (!out.write(value)) await drained(out);
    }
  } catch (err) {
    // The client's upload failed: abort rather than let the upstream take a truncated body as complete.
    out.destroy(asError(err));
  }
}

function drained(out: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off("drain", done);
      out.off("close", done);
      resolve();
    };
    out.on("drain", done);
    out.on("close", done);
  });
}

/** The response body as a web stream, paced by its reader; an upstream that dies mid-body errors the stream. */
function bodyStream(res: IncomingMessage): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      res.on("data", (chunk: Uint8Array) => {
        // Data already read off the socket still arrives after cancel(); a closed controller would throw.
        if (finished) return;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) res.pause();
      });
      res.on("end", () => {
        if (finished) return;
        finished = true;
        controller.close();
      });
      // A connection lost mid-body ends in 'error' ("aborted") in both runtimes, never in 'end'.
      res.on("error", (err: Error) => {
        if (finished) return;
        finished = true;
        controller.error(err);
      });
    },
    pull() {
      res.resume();
    },
    cancel() {
      finished = true;
      res.destroy(); // the rest of the body is unread, so this connection cannot be reused
    },
  }, { highWaterMark: BODY_HIGH_WATER, size: (chunk) => chunk.byteLength });
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
