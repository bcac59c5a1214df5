import { openDeno } from "../../ffi/deno.ts";
import type { Runtime } from "./types.ts";

// deno-lint-ignore no-explicit-any
const D = (globalThis as any).Deno;

export const runtime: Runtime = { name: "deno", version: D.version.deno, openRawShim: openDeno };
