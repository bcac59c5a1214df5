import { Shim } from "../../ffi/shim.ts";
import type { Runtime } from "../runtime/index.ts";
import { ensureShim } from "./build.ts";

/** Builds the shim if its sources changed, then opens it in this runtime. */
export function openShim(runtime: Runtime, options: { logLevel?: string; path?: string; log?: (m: string) => void } = {}): Shim {
  const path = options.path ?? process.env.TYKGW_SHIM ?? ensureShim({ log: options.log });
  return Shim.open(runtime.openRawShim, path, { logLevel: options.logLevel });
}
