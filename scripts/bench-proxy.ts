// Proxy throughput per upstream client, in the runtime this runs under (Deno or Bun), on loopback only.
//
//   node_modules/.bin/deno run -A --unstable-no-legacy-abort scripts/bench-proxy.ts [--requests 20000] [--concurrency 50]
//     [--rounds 3] [--helpers self|deno|bun]
//   node_modules/.bin/bun scripts/bench-proxy.ts [same flags]
//
// (--unstable-no-legacy-abort: without it Deno.serve fires request.signal after every successful response too, and
// warns; the numbers are the same either way.)
//
// Three processes: an upstream (node:http, ~1 KB answers), this process (a minimal proxy on Deno.serve/Bun.serve, one
// per candidate client), and a load generator (fetch, bounded request count, fixed concurrency). "direct" is the load
// generator against the upstream itself; each candidate is also checked for passing a gzip body through byte for byte.
// --helpers picks the runtime of the upstream and load generator (default: this one), to compare runtimes fairly.
import { spawn } from "node:child_process";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { gzipSync } from "node:zlib";
import {
  createFetchTransport,
  createNodeTransport,
  createUpstreamClient,
  type OutboundRequest,
  type Transport,
  UpstreamError,
} from "../src/proxy/index.ts";

type RuntimeName = "deno" | "bun";
const SELF: RuntimeName = "Bun" in globalThis ? "bun" : "deno";
const SCRIPT = fileURLToPath(import.meta.url);
const BODY = "x".repeat(1024);
const GZ = gzipSync(
  new TextEncoder().encode(JSON.stringify({ data: Array.from({ length: 500 }, (_, i) => `item-${i}`) })),
);

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

// ---- children ------------------------------------------------------------------------------------------------------

async function runUpstream(): Promise<void> {
  let connections = 0;
  const server = http.createServer((req, res) => {
    if (req.url === "/connections") {
      res.end(String(connections));
    } else if (req.url === "/gz") {
      res.writeHead(200, {
        "content-type": "application/json",
        "content-encoding": "gzip",
        "content-length": GZ.length,
      });
      res.end(GZ);
    } else {
      res.writeHead(200, { "content-type": "text/plain", "content-length": BODY.length });
      res.end(BODY);
    }
  });
  server.on("connection", () => connections++);
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0)); // the parent closes stdin when done
}

async function runLoad(url: string, requests: number, concurrency: number): Promise<void> {
  let issued = 0, errors = 0;
  async function worker(): Promise<void> {
    while (issued < requests) {
      issued++;
      try {
        const res = await fetch(url);
        const body = await res.arrayBuffer();
        if (res.status !== 200 || body.byteLength !== BODY.length) errors++;
      } catch {
        errors++;
      }
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ rps: requests / seconds, errors }));
}

// ---- parent --------------------------------------------------------------------------------------------------------

function command(runtime: RuntimeName, args: string[]): [string, string[]] {
  const bin = fileURLToPath(new URL(`../node_modules/.bin/${runtime}`, import.meta.url));
  return runtime === "deno" ? [bin, ["run", "-A", SCRIPT, ...args]] : [bin, [SCRIPT, ...args]];
}

/** Starts a child and resolves with its first stdout line parsed as JSON. */
async function child<T>(runtime: RuntimeName, args: string[]) {
  const [cmd, argv] = command(runtime, args);
  const proc = spawn(cmd, argv, { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  proc.stdout.setEncoding("utf8");
  const firstLine = new Promise<T>((resolve, reject) => {
    proc.stdout.on("data", (d: string) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as T);
    });
    proc.on("exit", (code) => reject(new Error(`${cmd} ${argv.join(" ")} exited with ${code}`)));
  });
  return { value: await firstLine, stop: () => proc.stdin.end() };
}

interface Server {
  port: number;
  stop(): Promise<void>;
}
type Handler = (req: Request, clientIp: string) => Promise<Response>;

// The runtimes' own servers, reached through globalThis so this file type-checks under either.
interface DenoServe {
  serve(
    o: { port: number; hostname: string; onListen(): void },
    h: (r: Request, i: { remoteAddr: { hostname: string } }) => Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
}
interface BunServe {
  serve(o: {
    port: number;
    hostname: string;
    fetch(r: Request, s: { requestIP(r: Request): { address: string } | null }): Promise<Response>;
  }): { port: number; stop(force: boolean): Promise<void> };
}

function serve(handler: Handler): Server {
  const g = globalThis as unknown as { Deno?: DenoServe; Bun?: BunServe };
  if (g.Bun) {
    const s = g.Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (req, server) => handler(req, server.requestIP(req)?.address ?? ""),
    });
    return { port: s.port, stop: () => s.stop(true) };
  }
  const s = g.Deno!.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (req, info) => handler(req, info.remoteAddr.hostname),
  );
  return { port: s.addr.port, stop: () => s.shutdown() };
}

/** The baseline of fetch-based proxies: the runtime's fetch as is (it decompresses, so it fails the gzip check). */
function plainFetchTransport(): Transport {
  return {
    async send(req: OutboundRequest) {
      const res = await fetch(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body as BodyInit | null,
        signal: req.signal,
        redirect: "manual",
      });
      return { status: res.status, headers: new Headers(res.headers), body: res.body };
    },
    close() {},
  };
}

function proxyWith(transport: Transport, upstream: string): { server: Server; close(): Promise<void> } {
  const client = createUpstreamClient({}, transport);
  const server = serve(async (req, clientIp) => {
    const u = new URL(req.url);
    try {
      const res = await client.send({
        url: new URL(u.pathname + u.search, upstream),
        method: req.method,
        headers: req.headers,
        body: req.body,
        clientIp,
        signal: req.signal,
      });
      return new Response(res.body, { status: res.status, headers: res.headers });
    } catch (err) {
      return new Response(null, { status: err instanceof UpstreamError && err.kind === "timeout" ? 504 : 502 });
    }
  });
  return {
    server,
    async close() {
      await server.stop();
      client.close();
    },
  };
}

/** GET with node:http, which never decodes, on a fresh connection. */
async function rawGet(port: number, path: string, headers: Record<string, string> = {}) {
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path, headers, agent: false }, resolve).on("error", reject);
  });
  const chunks: Uint8Array[] = [];
  for await (const c of res) chunks.push(c as Uint8Array);
  return { headers: res.headers, body: Buffer.concat(chunks) };
}

/** Fetches /gz through the proxy and compares with the upstream's gzip bytes. */
async function gzipCheck(port: number): Promise<string> {
  const { headers, body } = await rawGet(port, "/gz", { "accept-encoding": "gzip" });
  const length = headers["content-length"];
  const ok = headers["content-encoding"] === "gzip" && body.equals(GZ) &&
    (length === undefined || Number(length) === body.length);
  return ok
    ? "ok"
    : `CORRUPT (${body.length} B, content-encoding ${headers["content-encoding"]}, content-length ${length})`;
}

/** Connections the upstream has accepted so far, not counting this query's own. */
async function upstreamConnections(port: number): Promise<number> {
  return Number(String((await rawGet(port, "/connections")).body)) - 1;
}

async function load(helpers: RuntimeName, url: string, requests: number, concurrency: number): Promise<number> {
  const run = await child<{ rps: number; errors: number }>(helpers, [
    "load",
    url,
    String(requests),
    String(concurrency),
  ]);
  run.stop();
  if (run.value.errors > 0) throw new Error(`${run.value.errors} of ${requests} requests to ${url} failed`);
  return run.value.rps;
}

/** Requests/s, and this process's CPU per request: steadier than req/s when three processes share two cores. */
async function measure(helpers: RuntimeName, url: string, requests: number, concurrency: number) {
  await load(helpers, url, Math.min(2000, requests), concurrency); // warm-up: fills pools, JITs the path
  const cpu = process.cpuUsage();
  const rps = await load(helpers, url, requests, concurrency);
  const used = process.cpuUsage(cpu);
  return { rps, cpuUs: (used.user + used.system) / requests };
}

async function main(): Promise<void> {
  const requests = Number(flag("requests", "20000"));
  const concurrency = Number(flag("concurrency", "50"));
  const rounds = Number(flag("rounds", "3"));
  const helpersFlag = flag("helpers", "self");
  const helpers: RuntimeName = helpersFlag === "self" ? SELF : helpersFlag as RuntimeName;

  const candidates: Array<[string, () => Transport]> = [
    ["fetch (as is)", plainFetchTransport],
    ["node:http keep-alive Agent", createNodeTransport],
    ...(SELF === "bun" ? [["fetch decompress:false", createFetchTransport] as [string, () => Transport]] : []),
  ];

  const up = await child<{ port: number }>(helpers, ["upstream"]);
  const upstream = `http://127.0.0.1:${up.value.port}`;
  console.log(
    `proxy runtime: ${SELF}; upstream + load generator runtime: ${helpers}; ` +
      `${requests} requests x ${rounds} rounds after a warm-up, concurrency ${concurrency}, ~1 KB bodies`,
  );

  interface Row {
    name: string;
    rps: number[];
    cpuUs: number[];
    gzip: string;
    /** Most upstream connections one round opened (warm-up + run): at most the concurrency when the pool reuses them. */
    conns: number;
  }
  const rows: Row[] = [{ name: "direct (no proxy)", rps: [], cpuUs: [], gzip: "-", conns: 0 }];
  for (const [name] of candidates) rows.push({ name, rps: [], cpuUs: [], gzip: "", conns: 0 });
  const run = async (row: Row, url: string) => {
    const before = await upstreamConnections(up.value.port);
    const m = await measure(helpers, url, requests, concurrency);
    row.rps.push(m.rps);
    row.cpuUs.push(m.cpuUs);
    row.conns = Math.max(row.conns, (await upstreamConnections(up.value.port)) - before - 1);
  };
  for (let round = 0; round < rounds; round++) {
    await run(rows[0], `${upstream}/`);
    for (const [i, [, make]] of candidates.entries()) {
      const proxy = proxyWith(make(), upstream);
      try {
        rows[i + 1].gzip = await gzipCheck(proxy.server.port);
        await run(rows[i + 1], `http://127.0.0.1:${proxy.server.port}/`);
      } finally {
        await proxy.close();
      }
    }
  }
  up.stop();

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const direct = median(rows[0].rps);
  console.log(
    `\n| client (${SELF}) | req/s (median) | rounds | vs direct | proxy CPU µs/req | new upstream conns | gzip passthrough |`,
  );
  console.log("| --- | ---: | --- | ---: | ---: | ---: | --- |");
  for (const [i, r] of rows.entries()) {
    const m = median(r.rps);
    const cpu = i === 0 ? "-" : median(r.cpuUs).toFixed(0);
    console.log(
      `| ${r.name} | ${m.toFixed(0)} | ${r.rps.map((x) => x.toFixed(0)).join(" / ")} | ${(m / direct).toFixed(2)} | ` +
        `${cpu} | ${r.conns} | ${r.gzip} |`,
    );
  }
  console.log(
    "\nnew upstream conns: opened during one round's warm-up + run (direct: one pool per load process); 0 means the " +
      "candidate reused connections an earlier one left in a process-wide pool (Bun's fetch).",
  );
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === "upstream") await runUpstream();
else if (mode === "load") await runLoad(rest[0], Number(rest[1]), Number(rest[2]));
else await main();
