import { Shim } from "../../ffi/shim.ts";
import type { Runtime } from "../runtime/index.ts";
import { ensureShim } from "./build.ts";
import { embeddedAssets } from "./embedded.ts";
import { installEmbedded } from "./install.ts";

export interface ShimOptions {
  logLevel?: string;
  /** Open this library instead (tests, debugging); so does TYKGW_SHIM. */
  path?: string;
  log?: (m: string) => void;
}

/**
 * The path of the shim to open. From a checkout: built from shim-go/ if its
 * sources changed. In a single executable: the embedded shim, unpacked to a
 * private directory and verified (with the Go sources plugins build against).
 */
export function locateShim(options: Pick<ShimOptions, "path" | "log"> = {}): string {
  const assets = embeddedAssets();
  // Unpack the sources even when TYKGW_SHIM overrides the library: `plugin build` needs them.
  const installed = assets ? installEmbedded(assets, options.log) : undefined;
  return options.path ?? process.env.TYKGW_SHIM ?? installed?.library ?? ensureShim({ log: options.log });
}

/** Finds (building or unpacking it if needed) and opens the shim in this runtime. */
export function openShim(runtime: Runtime, options: ShimOptions = {}): Shim {
  return Shim.open(runtime.openRawShim, locateShim(options), { logLevel: options.logLevel });
}
