import { openDeno } from "../../ffi/deno.ts";
import { createNodeTransport } from "../proxy/index.ts";
import type { Runtime } from "./types.ts";

// deno-lint-ignore no-explicit-any
const D = (globalThis as any).Deno;

export const runtime: Runtime = {
  name: "deno",
  version: D.version.deno,
  openRawShim: openDeno,
  // Deno's fetch decompresses with no opt-out; node:http passes bytes through.
  upstreamTransport: createNodeTransport,
  serve: (opts) =>
    new Promise((resolve) => {
      const server = D.serve(
        {
          hostname: opts.hostname,
          port: opts.port,
          onListen: ({ port }: { port: number }) => resolve({ port, shutdown: () => server.shutdown() }),
        },
        (req: Request, info: { remoteAddr: { hostname: string; port: number } }) =>
          opts.fetch(req, { remoteAddr: info.remoteAddr }),
      );
    }),
};
