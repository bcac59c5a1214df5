// Memory is bounded by default: a body the gateway must hold whole (for a Go
// plugin, or for response hooks) is refused past the default limit before
// it fills memory, and everything else streams. Measured as the gateway
// process's resident memory (/proc/<pid>/status) while a 1 GiB upload and a
// 200 MiB download go through, against the bound stated below.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import { type GatewayProcess, keylessApi, startGatewayProcess } from "../helpers/gateway.ts";
import { testShim } from "../helpers/shim.ts";
import { type Sink, startSink } from "../helpers/sink.ts";

const MiB = 1 << 20;
/**
 * The bound: resident memory stays within this much of what the gateway used
 * before (after warming up), during each transfer and after it. By default a
 * held body is at most 10 MiB and all held at once at most 64 MiB
 * (plugin_gateway.max_held_body_bytes), each held byte costing about four
 * while a Go hook has it; the rest is the runtimes' stream buffers and
 * garbage not yet collected (Deno's collector lets a 200 MiB stream leave up
 * to some 300 MiB behind for a while). Before the limits, these transfers
 * took 1.3 to 6 GiB.
 */
const BOUND = 512 * MiB;

const { plugins } = await testShim();
let sink: Sink;
let gw: GatewayProcess;

const goplugin = (hooks: Record<string, unknown>) => ({ custom_middleware: { driver: "goplugin", ...hooks } });

before(async () => {
  sink = await startSink();
  gw = await startGatewayProcess({ log_level: "info" }, [
    keylessApi("plain", "/plain/", sink.url),
    keylessApi("prehook", "/prehook/", sink.url, goplugin({ pre: [{ name: "Noop", path: plugins.addheader }] })),
    keylessApi(
      "resphook",
      "/resphook/",
      sink.url,
      goplugin({ response: [{ name: "MyPluginResponse", path: plugins.respbody }] }),
    ),
  ]);
  // Warm up every path once, so the baseline includes what serving costs anyway.
  for (const path of ["/plain/x", "/prehook/x", "/resphook/download?bytes=1000"]) {
    const res = await fetch(gw.url + path, {
      method: path.includes("download") ? "GET" : "POST",
      body: path.includes("download") ? undefined : "warm",
    });
    await res.arrayBuffer();
  }
});

after(async () => {
  await gw?.stop();
  await sink?.close();
});

function rss(): number {
  const status = readFileSync(`/proc/${gw.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** Runs `work` while sampling the gateway's resident memory; resolves with its result and the peak growth over `base`. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; base: number; peak: number }> {
  const base = rss();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, rss())), 20);
  try {
    const result = await work();
    peak = Math.max(peak, rss());
    return { result, base, peak };
  } finally {
    clearInterval(timer);
  }
}

const mib = (n: number) => `${(n / MiB).toFixed(0)} MiB`;

function assertBounded(what: string, base: number, peak: number): void {
  assert.ok(
    peak - base <= BOUND,
    `${what}: resident memory grew by ${mib(peak - base)} (from ${mib(base)}), over the ${mib(BOUND)} bound`,
  );
}

/** Memory after a transfer: what is held past it is within the bound (the gateway's own garbage collection, polled for up to 5 s). */
async function assertReturned(what: string, base: number): Promise<void> {
  let now = rss();
  for (let i = 0; i < 50 && now - base > BOUND; i++) {
    await new Promise((r) => setTimeout(r, 100));
    now = rss();
  }
  assert.ok(
    now - base <= BOUND,
    `${what}: ${mib(now - base)} still held after it ended (from ${mib(base)}), over the ${mib(BOUND)} bound`,
  );
}

/**
 * Sends `total` bytes as a chunked POST body over a raw socket, 1 MiB per
 * chunk, as fast as the gateway takes them; stops sending when the gateway
 * answers or closes. Resolves with the answer's status line and body, and
 * the bytes sent.
 */
function refusedUpload(path: string, total: number): Promise<{ head: string; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const sock = connect(gw.port, "127.0.0.1");
    let got = Buffer.alloc(0);
    let sent = 0;
    const chunk = Buffer.concat([Buffer.from(`${MiB.toString(16)}\r\n`), Buffer.alloc(MiB, 97), Buffer.from("\r\n")]);
    const timer = setTimeout(
      () => (sock.destroy(), reject(new Error(`no answer within 60 s after ${mib(sent)}`))),
      60_000,
    );
    const finish = () => {
      clearTimeout(timer);
      const text = got.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      resolve({ head: text.slice(0, end < 0 ? undefined : end), body: end < 0 ? "" : text.slice(end + 4), sent });
    };
    sock.on("data", (d) => {
      got = Buffer.concat([got, d]);
      const text = got.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      const len = /content-length: (\d+)/i.exec(text);
      if (end >= 0 && len && got.length >= end + 4 + Number(len[1])) {
        sock.destroy();
        finish();
      }
    });
    sock.on("error", () => {}); // the gateway closing while we send is an answer too
    sock.on("close", finish);
    const pump = () => {
      while (sent < total && !sock.destroyed) {
        sent += MiB;
        if (!sock.write(chunk)) return void sock.once("drain", pump);
      }
      if (!sock.destroyed) sock.write("0\r\n\r\n");
    };
    sock.on("connect", () => {
      sock.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n`);
      pump();
    });
  });
}

/**
 * POSTs `total` bytes with node:http, in 1 MiB writes paced by the gateway:
 * chunked, or with their Content-Length when `declare`. Resolves with the answer.
 */
function streamedUpload(path: string, total: number, declare = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${gw.url}${path}`, {
      method: "POST",
      agent: false,
      headers: declare ? { "content-length": total } : {},
    }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => {
        req.destroy(); // answered (maybe before the whole body went): send no more
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on("error", (err) => !req.destroyed && reject(err));
    const chunk = Buffer.alloc(MiB, 97);
    let sent = 0;
    const pump = () => {
      while (sent < total && !req.destroyed) {
        const part = chunk.subarray(0, Math.min(MiB, total - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once("drain", pump);
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

test("memory: a 1 GiB upload to an API with a Go plugin is refused at the 10 MiB default with 413; nothing reaches the upstream", async () => {
  const before = sink.requests.length;
  const { result, base, peak } = await measured(() => refusedUpload("/prehook/upload", 1024 * MiB));
  assert.match(result.head, /^HTTP\/1\.1 413 /, `${result.head}\n${result.body}`);
  assert.equal(result.body, "Request Entity Too Large\n");
  assert.deepEqual(sink.requests.slice(before).map((r) => r.url), [], "nothing was sent upstream");
  assertBounded("1 GiB upload to a Go plugin API", base, peak);
  await assertReturned("1 GiB upload to a Go plugin API", base);
});

test("memory: a 1 GiB upload to an API without plugins streams to the upstream whole", async () => {
  const { result, base, peak } = await measured(() => streamedUpload("/plain/upload", 1024 * MiB));
  assert.deepEqual(result, { status: 200, body: JSON.stringify({ received: 1024 * MiB }) });
  assertBounded("1 GiB streamed upload", base, peak);
  await assertReturned("1 GiB streamed upload", base);
});

test("memory: a 200 MiB answer for a response hook is refused past the 10 MiB default with Tyk's 500", async () => {
  const { result, base, peak } = await measured(async () => {
    const res = await fetch(`${gw.url}/resphook/download?bytes=${200 * MiB}`);
    return { status: res.status, body: await res.json() };
  });
  assert.deepEqual(result, { status: 500, body: { error: "Response body too large" } });
  assertBounded("200 MiB answer for a response hook", base, peak);
  await assertReturned("200 MiB answer for a response hook", base);
});

test("memory: a 200 MiB download from an API without response hooks streams whole", async () => {
  const { result, base, peak } = await measured(async () => {
    const res = await fetch(`${gw.url}/plain/download?bytes=${200 * MiB}`);
    let bytes = 0;
    for await (const c of res.body!) bytes += c.byteLength;
    return { status: res.status, bytes };
  });
  assert.deepEqual(result, { status: 200, bytes: 200 * MiB });
  assertBounded("200 MiB streamed download", base, peak);
  await assertReturned("200 MiB streamed download", base);
});

test("memory: 64 uploads of 10 MiB at once to a Go plugin API: those past the held-body budget get 503, and memory stays bounded", async () => {
  const size = 10 * MiB - 1000;
  const { result, base, peak } = await measured(() =>
    Promise.all(Array.from({ length: 64 }, () => streamedUpload("/prehook/many", size, true)))
  );
  const served = result.filter((r) => r.status === 200);
  const refused = result.filter((r) => r.status === 503);
  assert.equal(
    served.length + refused.length,
    64,
    `every upload is served or refused: ${[...new Set(result.map((r) => r.status))]}`,
  );
  assert.ok(served.length > 0, "uploads that fit the budget are served");
  for (const r of served) assert.deepEqual(JSON.parse(r.body), { received: size });
  for (const r of refused) assert.deepEqual(JSON.parse(r.body), { error: "Service Unavailable" });
  assertBounded("64 concurrent 10 MiB uploads to a Go plugin API", base, peak);
  await assertReturned("64 concurrent 10 MiB uploads to a Go plugin API", base);
  // The budget is given back as requests end.
  const after = await streamedUpload("/prehook/many", size, true);
  assert.equal(after.status, 200, after.body);
});
