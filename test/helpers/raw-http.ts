// A raw HTTP/1.1 client, for what fetch cannot send: a request target sent
// byte for byte (dot segments, odd escapes), a chunked body whose length the
// gateway cannot know in advance, a GET with a body.
import { Buffer } from "node:buffer";
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function parseRawResponse(buf: Buffer, ended: boolean): RawResponse | undefined {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(lines[0].split(" ")[1]);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(":");
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const rest = buf.subarray(end + 4);
  if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
    const chunks: Buffer[] = [];
    for (let off = 0;;) {
      const nl = rest.indexOf("\r\n", off);
      if (nl < 0) return undefined;
      const size = parseInt(rest.subarray(off, nl).toString("latin1"), 16);
      if (size === 0) return { status, headers, body: Buffer.concat(chunks) };
      if (rest.length < nl + 2 + size + 2) return undefined;
      chunks.push(rest.subarray(nl + 2, nl + 2 + size));
      off = nl + 2 + size + 2;
    }
  }
  if (headers["content-length"] !== undefined) {
    const n = Number(headers["content-length"]);
    return rest.length >= n ? { status, headers, body: rest.subarray(0, n) } : undefined;
  }
  // Answers that cannot have a body end at the head.
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) return { status, headers, body: Buffer.alloc(0) };
  return ended ? { status, headers, body: rest } : undefined;
}

/** Sends `head`, then each of `parts` 30 ms apart, and reads one response (15 s at most). */
export function rawHttp(port: number, head: string, parts: string[] = []): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, "127.0.0.1");
    let buf = Buffer.alloc(0);
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      f();
    };
    const timer = setTimeout(
      () => settle(() => reject(new Error(`no complete response within 15 s; got:\n${buf.toString("latin1")}`))),
      15_000,
    );
    sock.on("error", (e) => settle(() => reject(e)));
    sock.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const r = parseRawResponse(buf, false);
      if (r) settle(() => resolve(r));
    });
    sock.on("end", () => {
      const r = parseRawResponse(buf, true);
      settle(() => (r
        ? resolve(r)
        : reject(new Error(`connection closed before a complete response:\n${buf.toString("latin1")}`)))
      );
    });
    sock.on("connect", async () => {
      sock.write(head);
      for (const p of parts) {
        await new Promise((r) => setTimeout(r, 30));
        if (!settled) sock.write(p);
      }
    });
  });
}

/** A GET of exactly `target` (no normalisation on the way), with the given extra header lines. */
export function rawGet(port: number, target: string, headers: string[] = []): Promise<RawResponse> {
  return rawHttp(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers.map((h) => `${h}\r\n`).join("")}Connection: close\r\n\r\n`);
}
