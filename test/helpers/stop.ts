import type { GatewayProcess } from "./gateway.ts";

/**
 * Stops a gateway with SIGTERM and resolves with its exit code; one that has
 * not exited within `ms` (its event loop is blocked) is killed and "hung" is
 * the answer. A test of something that may stall the gateway thus fails
 * instead of stalling the run.
 */
export async function stopWithin(gw: GatewayProcess, ms = 15_000): Promise<number | null | "hung"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<"hung">((r) => (timer = setTimeout(() => r("hung"), ms)));
  const code = await Promise.race([gw.stop(), hung]);
  clearTimeout(timer);
  if (code === "hung") await gw.stop("SIGKILL");
  return code;
}
