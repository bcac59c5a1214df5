// The reverse proxy as a Tyk user sees it: routing by listen path, strip,
// forwarding headers, untouched encodings, 502/504, and connections that
// close mid-stream.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, test } from "node:test";
import { type GatewayProcess, keylessApi, startGatewayProcess } from "../helpers/gateway.ts";
import { type Echo, GZIPPED, startUpstream, type Upstream } from "../helpers/upstream.ts";

let up: Upstream;
let gw: GatewayProcess;

before(async () => {
  up = await startUpstream();
  gw = await startGatewayProcess({ proxy_default_timeout: 1, http_server_options: { max_request_body_size: 1000 } }, [
    keylessApi("short", "/api/", up.url),
    keylessApi("long", "/api/v2/", `${up.url}/base/`),
    { ...keylessApi("nostrip", "/keep/", up.url), proxy: { listen_path: "/keep/", target_url: up.url, strip_listen_path: false } },
    keylessApi("dead", "/dead/", "http://127.0.0.1:1/"),
  ]);
});

after(async () => {
  await gw.stop();
  await up.close();
});

const echo = async (path: string, init?: RequestInit): Promise<Echo> => (await fetch(`${gw.url}${path}`, init)).json();

test("proxy: the longest listen path wins, and strip_listen_path joins the rest to the target path", async () => {
  assert.equal((await echo("/api/v2/users?x=1")).url, "/base/users?x=1");
  assert.equal((await echo("/api/users")).url, "/users");
  assert.equal((await echo("/keep/users")).url, "/keep/users");
});

test("proxy: unknown paths get 404", async () => {
  const res = await fetch(`${gw.url}/nothing/here`);
  assert.equal(res.status, 404);
  await res.text();
});

test("proxy: X-Forwarded-For is appended, hop-by-hop headers dropped, body streamed", async () => {
  const e = await echo("/api/post", {
    method: "POST",
    body: "payload",
    headers: { "x-forwarded-for": "10.0.0.1", connection: "keep-alive, x-hop", "x-hop": "1", "x-end": "2" },
  });
  assert.equal(e.headers["x-forwarded-for"], "10.0.0.1, 127.0.0.1");
  assert.equal(e.headers["x-hop"], undefined);
  assert.equal(e.headers["x-end"], "2");
  assert.equal(e.body, "payload");
  assert.equal(e.headers.host, new URL(up.url).host);
});

test("proxy: a gzip body passes through byte for byte, still encoded", async () => {
  const res = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    request(`${gw.url}/api/gzip`, { headers: { "accept-encoding": "gzip" } }, (r) => {
      const chunks: Buffer[] = [];
      r.on("data", (c) => chunks.push(c));
      r.on("end", () => resolve({ headers: r.headers, body: Buffer.concat(chunks) }));
    }).on("error", reject).end();
  });
  assert.equal(res.headers["content-encoding"], "gzip");
  assert.deepEqual(res.body, GZIPPED);
});

test("proxy: an unreachable upstream is 502, a slow one 504 after proxy_default_timeout", async () => {
  const dead = await fetch(`${gw.url}/dead/x`);
  assert.equal(dead.status, 502);
  assert.deepEqual(await dead.json(), { error: "There was a problem proxying the request" });
  const slow = await fetch(`${gw.url}/api/slow?ms=3000`);
  assert.equal(slow.status, 504);
  assert.deepEqual(await slow.json(), { error: "Upstream service reached hard timeout." });
});

test("proxy: a body over max_request_body_size is refused with 413", async () => {
  const res = await fetch(`${gw.url}/api/post`, { method: "POST", body: "x".repeat(2000) });
  assert.equal(res.status, 413);
  await res.text();
});

test("proxy: clients and upstreams closing mid-stream do not crash the gateway", async () => {
  // The upstream dies after sending part of its body.
  const partial = await fetch(`${gw.url}/api/drop`).then((r) => r.text()).catch((e) => e);
  assert.ok(partial instanceof Error || typeof partial === "string");
  // A client goes away while the upstream is still answering.
  for (let i = 0; i < 5; i++) {
    const ac = new AbortController();
    const p = fetch(`${gw.url}/api/slow?ms=300`, { signal: ac.signal }).catch(() => undefined);
    setTimeout(() => ac.abort(), 50);
    await p;
  }
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(gw.proc.exitCode, null, "still running");
  assert.equal((await echo("/api/alive")).url, "/alive");
});
