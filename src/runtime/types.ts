import type { OpenRawShim } from "../../ffi/abi.ts";
import type { ConnInfo } from "../gateway/state.ts";
import type { Transport } from "../proxy/index.ts";

export interface ServeOptions {
  hostname: string;
  port: number;
  fetch: (req: Request, conn: ConnInfo) => Response | Promise<Response>;
  /**
   * Milliseconds (tyk.conf http_server_options.read_timeout): a connection
   * with no request in progress (new, between keep-alive requests, or still
   * sending request headers) is closed after this long.
   */
  readTimeoutMs: number;
  /**
   * Milliseconds (http_server_options.write_timeout): a request not answered
   * in full this long after its headers arrived loses its connection.
   */
  writeTimeoutMs: number;
  /**
   * Told when accepting a connection failed (descriptors exhausted: EMFILE):
   * the server keeps listening and tries again in `retryMs`.
   */
  onAcceptError(err: Error, retryMs: number): void;
  /**
   * Listen with SO_REUSEPORT (Linux), so that every worker process of one gateway listens on the same port and the
   * kernel spreads connections among them.
   */
  reusePort?: boolean;
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
  /**
   * The command that runs this gateway again, to which its own arguments are appended (the supervisor starts its
   * workers with it): the runtime with its flags and our entry module, or the single executable alone.
   */
  selfCommand(): { command: string; args: string[] };
}
