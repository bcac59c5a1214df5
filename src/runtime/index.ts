import type { Runtime } from "./types.ts";

export type { Runtime } from "./types.ts";

export function runtimeKey(): "deno" | "bun" {
  return "Bun" in globalThis ? "bun" : "deno";
}

/** Loads the adapter of the runtime we run on; the other is never imported. */
export async function loadRuntime(): Promise<Runtime> {
  return runtimeKey() === "bun" ? (await import("./bun.ts")).runtime : (await import("./deno.ts")).runtime;
}
