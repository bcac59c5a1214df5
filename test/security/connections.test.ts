// Connections are reclaimed: idle keep-alive connections, clients that send
// nothing or trickle their headers, and clients that stop reading their
// answer all lose their connection after http_server_options.read_timeout /
// write_timeout; and a flood of connections past the descriptor limit
// (`ulimit -n`) neither kills the gateway nor stops it for good.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { connect, type Socket } from "node:net";
import { after, before, test } from "node:test";
import { type GatewayProcess, keylessApi, startGatewayProcess } from "../helpers/gateway.ts";
import { type Sink, startSink } from "../helpers/sink.ts";

const MiB = 1 << 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Seconds, as in tyk.conf: short, so the test sees connections reclaimed. */
const TIMEOUT_S = 2;

let sink: Sink;
let gw: GatewayProcess;

before(async () => {
  sink = await startSink();
  gw = await startGatewayProcess({
    log_level: "info",
    http_server_options: { read_timeout: TIMEOUT_S, write_timeout: TIMEOUT_S },
  }, [
    keylessApi("plain", "/plain/", sink.url),
  ]);
});

after(async () => {
  await gw?.stop();
  await sink?.close();
});

/** A raw connection to the gateway and what it received, with a promise that settles when the gateway closes it. */
function open(port: number): { sock: Socket; received: () => Buffer; closed: Promise<number> } {
  const sock = connect(port, "127.0.0.1");
  const chunks: Buffer[] = [];
  const started = Date.now();
  sock.on("data", (d: Buffer) => chunks.push(d));
  sock.on("error", () => {}); // a reset is a close too
  const closed = new Promise<number>((r) => sock.on("close", () => r(Date.now() - started)));
  return { sock, received: () => Buffer.concat(chunks), closed };
}

/** Resolves with the milliseconds until `closed` settled, or "open" if it did not within `ms`. */
function closedWithin(closed: Promise<number>, ms: number): Promise<number | "open"> {
  return Promise.race([closed, sleep(ms).then(() => "open" as const)]);
}

test("connections: a keep-alive connection left idle is closed after read_timeout", async () => {
  const c = open(gw.port);
  c.sock.write("GET /plain/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  const closed = await closedWithin(c.closed, 10_000);
  assert.match(c.received().toString("latin1"), /^HTTP\/1\.1 200 /, "the request was answered first");
  assert.notEqual(closed, "open", "the gateway closed the idle connection");
});

test("connections: a client that connects and sends nothing, or part of its headers, is disconnected", async () => {
  const silent = open(gw.port);
  const partial = open(gw.port);
  partial.sock.write("GET /plain/x HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  // Slowloris: a header line every 500 ms, never the end of the headers. Bun closes these by its own header
  // deadline (about 10 s) whatever read_timeout is, hence the bound below.
  const trickle = open(gw.port);
  trickle.sock.write("GET /plain/x HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  const timer = setInterval(() => trickle.sock.writable && trickle.sock.write("X-Slow: 1\r\n"), 500);
  try {
    const closed = await Promise.all([silent, partial, trickle].map((c) => closedWithin(c.closed, 20_000)));
    assert.ok(closed.every((ms) => ms !== "open"), `every such connection is closed (ms: ${closed.join(", ")})`);
  } finally {
    clearInterval(timer);
    for (const c of [silent, partial, trickle]) c.sock.destroy();
  }
});

test("connections: a client that stops reading its answer loses the connection after write_timeout, not the whole download", async () => {
  const total = 256 * MiB;
  const c = open(gw.port);
  c.sock.write(`GET /plain/download?bytes=${total} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  await new Promise((r) => c.sock.once("data", r));
  c.sock.pause(); // stop reading: the gateway's writes fill the socket and stall
  await sleep((TIMEOUT_S + 3) * 1000);
  c.sock.resume();
  const closed = await closedWithin(c.closed, 10_000);
  assert.notEqual(closed, "open", "the gateway closed the connection");
  assert.ok(c.received().length < total, `the answer was cut off (${c.received().length} of ${total} bytes)`);
});

test("connections: a flood of idle keep-alive connections past `ulimit -n` neither kills the gateway nor stops it serving once they are reclaimed", async () => {
  const limited = await startGatewayProcess(
    { log_level: "info", http_server_options: { read_timeout: TIMEOUT_S, write_timeout: TIMEOUT_S } },
    [
      keylessApi("plain", "/plain/", sink.url),
    ],
    {},
    [],
    { nofile: 256 },
  );
  const flood: Array<ReturnType<typeof open>> = [];
  try {
    // 400 connections on a 256 descriptor limit, each making one request and keeping its connection open.
    for (let i = 0; i < 400; i++) {
      const c = open(limited.port);
      c.sock.write("GET /plain/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      flood.push(c);
      if (i % 50 === 49) await sleep(20);
    }
    await sleep(500);
    assert.equal(limited.proc.exitCode, null, `the gateway is still running; stderr:\n${limited.stderr}`);
    // The flood stays connected on its side; the gateway reclaims its idle connections and serves a new client.
    let served: string | undefined;
    const deadline = Date.now() + 20_000;
    while (served === undefined && Date.now() < deadline) {
      try {
        const res = await fetch(`${limited.url}/plain/x`, {
          method: "POST",
          body: "after the flood",
          signal: AbortSignal.timeout(1000),
        });
        served = await res.text();
      } catch {
        await sleep(200);
      }
    }
    assert.equal(limited.proc.exitCode, null, `the gateway is still running; stderr:\n${limited.stderr}`);
    assert.equal(
      served,
      JSON.stringify({ received: "after the flood".length }),
      "a new client is served while the flood is still connected",
    );
  } finally {
    for (const c of flood) c.sock.destroy();
    await limited.stop();
  }
});
