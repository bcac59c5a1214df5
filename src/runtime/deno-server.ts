// The HTTP server on Deno: our own accept loop, each connection served by
// Deno's own HTTP implementation (the one behind Deno.serve).
//
// Deno.serve alone cannot be used: it has no timeouts at all (a client that
// connects and sends nothing, or part of a request, or leaves a keep-alive
// connection idle, holds a descriptor forever) and its accept loop ends for
// good on the first accept error, so reaching the descriptor limit
// ("Too many open files") stopped the gateway. Here, as Go's http.Server does
// for Tyk, an accept error is retried after a growing pause (5 ms to 1 s)
// while the listener stays open, so the gateway serves again as soon as
// descriptors free up; and a sweep closes connections idle past
// read_timeout or with a request unanswered past write_timeout.
//
// Serving one connection uses Deno's internal serveHttpOnConnection (what
// Deno.serve runs per listener): it is not public API, so its presence is
// checked at start-up with a clear error naming the Deno version.

import type { RunningServer, ServeOptions } from "./types.ts";

/** The parts of Deno's API this server uses (Deno's own types are not visible when Bun type-checks the tree). */
interface DenoConn {
  readonly remoteAddr: { hostname: string; port: number };
  setNoDelay(noDelay?: boolean): void;
  close(): void;
}
interface DenoListener {
  readonly addr: { port: number };
  accept(): Promise<DenoConn>;
  close(): void;
}
interface ConnServer {
  readonly finished: Promise<void>;
  shutdown(): Promise<void>;
}
interface HandlerInfo {
  readonly remoteAddr: { hostname: string; port: number };
  /** Settles when the response has been handed over (rejects when it could not be sent). */
  readonly completed: Promise<void>;
}
type ServeHttpOnConnection = (
  conn: DenoConn,
  signal: AbortSignal,
  handler: (req: Request, info: HandlerInfo) => Response | Promise<Response>,
  onError: (err: unknown) => Response,
  onListen: () => void,
) => ConnServer;
export interface DenoNamespace {
  readonly version: { deno: string };
  readonly internal: symbol;
  listen(opts: { hostname: string; port: number; reusePort?: boolean }): DenoListener;
}

/** One accepted connection: what the sweep needs to decide to close it. */
interface Tracked {
  /** Aborting it closes the connection at once. */
  readonly abort: AbortController;
  server?: ConnServer;
  /** Start times (ms) of the requests in progress (HTTP/2 may have several). */
  readonly inFlight: number[];
  /** Since when (ms) no request has been in progress. */
  idleSince: number;
}

const MIN_RETRY_MS = 5;
const MAX_RETRY_MS = 1000;

function internalServe(D: DenoNamespace): ServeHttpOnConnection {
  const internals =
    (D as unknown as Record<symbol, { serveHttpOnConnection?: ServeHttpOnConnection } | undefined>)[D.internal];
  const serve = internals?.serveHttpOnConnection;
  if (typeof serve !== "function") {
    throw new Error(
      `Deno ${D.version.deno} has no internal serveHttpOnConnection, which the gateway needs to bound connections; use the Deno version in package.json`,
    );
  }
  return serve;
}

/** Listens on `opts.hostname:opts.port` and serves with the timeouts in `opts` (see the module comment). */
export function serveDeno(D: DenoNamespace, opts: ServeOptions): Promise<RunningServer> {
  const serveOn = internalServe(D);
  const listener = D.listen({ hostname: opts.hostname, port: opts.port, reusePort: opts.reusePort });
  const live = new Set<Tracked>();
  let closing = false;

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const t of live) {
      const overdue = t.inFlight.length === 0
        ? now - t.idleSince > opts.readTimeoutMs
        : now - t.inFlight[0] > opts.writeTimeoutMs;
      if (overdue) t.abort.abort();
    }
  }, Math.max(50, Math.min(1000, Math.min(opts.readTimeoutMs, opts.writeTimeoutMs) / 4)));

  function serveConnection(conn: DenoConn): void {
    conn.setNoDelay(true);
    const t: Tracked = { abort: new AbortController(), inFlight: [], idleSince: Date.now() };
    const handler = (req: Request, info: HandlerInfo): Response | Promise<Response> => {
      const started = Date.now();
      t.inFlight.push(started);
      const done = () => {
        t.inFlight.splice(t.inFlight.indexOf(started), 1);
        if (t.inFlight.length === 0) t.idleSince = Date.now();
      };
      info.completed.then(done, done);
      return opts.fetch(req, { remoteAddr: info.remoteAddr });
    };
    t.server = serveOn(
      conn,
      t.abort.signal,
      handler,
      () => new Response("Internal Server Error", { status: 500 }),
      () => {},
    );
    live.add(t);
    // Settles when the connection ends, however it ends (a reset rejects it).
    t.server.finished.catch(() => {}).finally(() => live.delete(t));
  }

  (async () => {
    let retryMs = 0;
    while (!closing) {
      let conn: DenoConn;
      try {
        conn = await listener.accept();
        retryMs = 0;
      } catch (err) {
        if (closing) return;
        retryMs = retryMs === 0 ? MIN_RETRY_MS : Math.min(retryMs * 2, MAX_RETRY_MS);
        opts.onAcceptError(err instanceof Error ? err : new Error(String(err)), retryMs);
        await new Promise((r) => setTimeout(r, retryMs));
        continue;
      }
      serveConnection(conn);
    }
  })();

  return Promise.resolve({
    port: listener.addr.port,
    async shutdown() {
      closing = true;
      clearInterval(sweep);
      listener.close();
      // Each connection finishes the requests it has and closes; idle ones close at once.
      await Promise.all([...live].map((t) => t.server?.shutdown().catch(() => {})));
    },
  });
}
