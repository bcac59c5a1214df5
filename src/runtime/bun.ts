import process from "node:process";
import { openBun } from "../../ffi/bun.ts";
import type { ConnInfo } from "../gateway/state.ts";
import { createFetchTransport } from "../proxy/index.ts";
import { embeddedAssets } from "../shim/embedded.ts";
import type { Runtime } from "./types.ts";

// The part of Bun's global this adapter uses (bun-types describe it fully, but
// would clash with Deno's types when the whole tree is type-checked by Deno).
interface BunServer {
  port?: number;
  requestIP(req: Request): { address: string; port: number } | null;
  stop(closeActiveConnections?: boolean): Promise<void>;
}
interface BunGlobal {
  version: string;
  /** The entry module's path. */
  main: string;
  serve(opts: {
    hostname: string;
    port: number;
    reusePort: boolean;
    maxRequestBodySize: number;
    idleTimeout: number;
    fetch(req: Request, server: BunServer): Response | Promise<Response>;
  }): BunServer;
}
const B = (globalThis as unknown as { Bun: BunGlobal }).Bun;

const BUN_MAX_IDLE_S = 255;

export const runtime: Runtime = {
  name: "bun",
  version: B.version,
  openRawShim: openBun,
  // Bun's fetch with decompress:false passes bytes through and is faster here than node:http.
  upstreamTransport: createFetchTransport,
  serve: (opts) => {
    const server = B.serve({
      hostname: opts.hostname,
      port: opts.port,
      reusePort: opts.reusePort ?? false,
      // The gateway applies max_request_body_size itself, with Tyk's answer (Bun's own 413 has no body).
      maxRequestBodySize: Number.MAX_SAFE_INTEGER,
      // Bun has one timeout: a connection with no bytes moving for that long is closed, whether idle or waiting
      // for its answer; so the larger of the two, to never cut a request short of write_timeout. Bun's own
      // maximum is 255 s. (Bun also closes a connection that has not sent whole request headers in about 10 s.)
      idleTimeout: Math.min(BUN_MAX_IDLE_S, Math.ceil(Math.max(opts.readTimeoutMs, opts.writeTimeoutMs) / 1000)),
      fetch(req, srv) {
        const ip = srv.requestIP(req);
        const conn: ConnInfo = { remoteAddr: { hostname: ip?.address ?? "", port: ip?.port ?? 0 } };
        return opts.fetch(req, conn);
      },
    });
    return Promise.resolve({ port: server.port ?? opts.port, shutdown: () => server.stop(false) });
  },
  selfCommand: () => ({ command: process.execPath, args: embeddedAssets() ? [] : [B.main] }),
};
