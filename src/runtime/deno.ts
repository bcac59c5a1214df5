import { fileURLToPath } from "node:url";
import { openDeno } from "../../ffi/deno.ts";
import { createNodeTransport } from "../proxy/index.ts";
import { embeddedAssets } from "../shim/embedded.ts";
import { type DenoNamespace, serveDeno } from "./deno-server.ts";
import type { Runtime } from "./types.ts";

const D = (globalThis as unknown as { Deno: DenoNamespace & { execPath(): string; readonly mainModule: string } }).Deno;
// Workers listen with SO_REUSEPORT, which Deno.listen has behind --unstable-net (the single executable is compiled
// with it: scripts/build-deno-exe.ts).
const RUN_FLAGS = ["run", "-A", "--unstable-no-legacy-abort", "--unstable-net"];

export const runtime: Runtime = {
  name: "deno",
  version: D.version.deno,
  openRawShim: openDeno,
  // Deno's fetch decompresses with no opt-out; node:http passes bytes through.
  upstreamTransport: createNodeTransport,
  serve: (opts) => serveDeno(D, opts),
  selfCommand: () => ({ command: D.execPath(), args: embeddedAssets() ? [] : [...RUN_FLAGS, fileURLToPath(D.mainModule)] }),
};
