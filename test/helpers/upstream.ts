// A real upstream on loopback that echoes what it received as JSON, plus a
// few misbehaving endpoints for proxy tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";

export interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Upstream {
  url: string;
  hits: number;
  close(): Promise<void>;
}

export const GZIPPED = gzipSync(Buffer.from("hello gzip ".repeat(100)));

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startUpstream(): Promise<Upstream> {
  const state = { hits: 0 };
  const server: Server = createServer((req, res) => {
    state.hits++;
    // A client (the gateway) giving up mid-request is part of some tests, not an error.
    handle(req, res).catch(() => res.destroy());
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname.endsWith("/gzip")) {
      res.writeHead(200, { "content-encoding": "gzip", "content-type": "text/plain", "content-length": GZIPPED.length });
      res.end(GZIPPED);
      return;
    }
    if (url.pathname.endsWith("/slow")) {
      await new Promise((r) => setTimeout(r, Number(url.searchParams.get("ms") ?? 1000)));
    }
    if (url.pathname.endsWith("/drop")) {
      res.writeHead(200, { "content-type": "text/plain", "content-length": 1000 });
      res.write("partial");
      setTimeout(() => res.destroy(), 20);
      return;
    }
    const echo: Echo = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: await readBody(req) };
    res.writeHead(Number(url.searchParams.get("status") ?? 200), { "content-type": "application/json", "x-upstream": "yes" });
    res.end(JSON.stringify(echo));
  }
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}
