import { fileURLToPath } from "node:url";
import { openDeno } from "../../ffi/deno.ts";
import { createNodeTransport } from "../proxy/index.ts";
import { embeddedAssets } from "../shim/embedded.ts";
import type { Runtime } from "./types.ts";

// deno-lint-ignore no-explicit-any
const D = (globalThis as any).Deno;
// Workers listen with SO_REUSEPORT, which Deno.listen has behind --unstable-net (the single executable is compiled
// with it: scripts/build-deno-exe.ts).
const RUN_FLAGS = ["run", "-A", "--unstable-no-legacy-abort", "--unstable-net"];

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
          reusePort: opts.reusePort,
          onListen: ({ port }: { port: number }) => resolve({ port, shutdown: () => server.shutdown() }),
        },
        (req: Request, info: { remoteAddr: { hostname: string; port: number } }) =>
          opts.fetch(req, { remoteAddr: info.remoteAddr }),
      );
    }),
  selfCommand: () => ({ command: D.execPath(), args: embeddedAssets() ? [] : [...RUN_FLAGS, fileURLToPath(D.mainModule)] }),
};
