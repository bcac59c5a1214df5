import type { OpenRawShim } from "../../ffi/abi.ts";

/** Everything runtime-specific the gateway needs, behind one interface. */
export interface Runtime {
  readonly name: "deno" | "bun";
  readonly version: string;
  readonly openRawShim: OpenRawShim;
}
