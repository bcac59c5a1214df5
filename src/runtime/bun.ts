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
      // Bun's limit is a hard cap; 0 means "no limit" in tyk.conf.
      maxRequestBodySize: opts.maxRequestBodySize > 0 ? opts.maxRequestBodySize : Number.MAX_SAFE_INTEGER,
      idleTimeout: 0,
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
