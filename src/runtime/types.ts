import type { OpenRawShim } from "../../ffi/abi.ts";
import type { ConnInfo } from "../gateway/state.ts";
import type { Transport } from "../proxy/index.ts";

export interface ServeOptions {
  hostname: string;
  port: number;
  fetch: (req: Request, conn: ConnInfo) => Response | Promise<Response>;
  /** 0 = unlimited. */
  maxRequestBodySize: number;
}

export interface RunningServer {
  readonly port: number;
  /** Stops accepting; resolves when requests in flight have finished. */
  shutdown(): Promise<void>;
}

/** Everything runtime-specific the gateway needs, behind one interface. */
export interface Runtime {
  readonly name: "deno" | "bun";
  readonly version: string;
  readonly openRawShim: OpenRawShim;
  /** The HTTP client to upstreams that measured fastest and correct on this runtime (scripts/bench-proxy.ts). */
  upstreamTransport(): Transport;
  serve(opts: ServeOptions): Promise<RunningServer>;
}
