// An upstream for tests of big and odd bodies: it counts what it receives
// without keeping it, and sends downloads of any size, paced by the reader.
import { Buffer } from "node:buffer";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the sink saw it. */
export interface SinkRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  /** Bytes of body received. */
  received: number;
  /** The request's body ended as its framing said (false: the connection was cut mid-body). */
  complete: boolean;
}

export interface Sink {
  url: string;
  /** Every request that reached the sink, in order, once its body has ended or been cut. */
  requests: SinkRequest[];
  close(): Promise<void>;
}

const MiB = Buffer.alloc(1 << 20, 120);

/**
 * Answers every request with JSON `{received}` (its body's byte count),
 * except GET /download?bytes=N, which sends N bytes with their
 * Content-Length (`&chunked=1`: without it), and with `&pause=ms` sends the
 * first 1000 bytes, waits, then the rest (a body still streaming when its
 * headers arrive).
 */
export async function startSink(): Promise<Sink> {
  const requests: SinkRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://sink");
    if (url.pathname.endsWith("/download")) return void download(url, res);
    let received = 0;
    req.on("data", (c: Buffer) => (received += c.length));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, received, complete: true });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ received }));
    });
    req.on("error", () => {});
    req.on("close", () => {
      if (!req.complete) {
        requests.push({
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          received,
          complete: false,
        });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

async function download(url: URL, res: ServerResponse): Promise<void> {
  const total = Number(url.searchParams.get("bytes"));
  const pause = Number(url.searchParams.get("pause") ?? 0);
  res.on("error", () => {});
  res.writeHead(200, {
    "content-type": "application/octet-stream",
    ...(url.searchParams.get("chunked") ? {} : { "content-length": total }),
  });
  let sent = 0;
  if (pause > 0) {
    res.write(MiB.subarray(0, Math.min(1000, total)));
    sent = Math.min(1000, total);
    await new Promise((r) => setTimeout(r, pause));
  }
  while (sent < total && !res.destroyed) {
    const part = MiB.subarray(0, Math.min(MiB.length, total - sent));
    sent += part.length;
    if (!res.write(part)) await drained(res);
  }
  res.end();
}
