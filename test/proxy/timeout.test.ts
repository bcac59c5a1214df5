// Regression: the upstream timeout must also fire for a request sent on a
// reused keep-alive connection (Deno's node:http did not report it).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { createFetchTransport, createNodeTransport, createUpstreamClient, type Transport, UpstreamError } from "../../src/proxy/index.ts";

const transports: Array<[string, () => Transport]> = [["node:http", createNodeTransport], ...("Bun" in globalThis ? [["fetch", createFetchTransport] as [string, () => Transport]] : [])];

for (const [name, make] of transports) {
  test(`${name}: the timeout fires on a reused keep-alive connection, with a client signal attached`, async () => {
    const server = createServer((req, res) => (req.url === "/slow" ? setTimeout(() => res.end("late"), 2000) : res.end("fast")));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = createUpstreamClient({ timeoutMs: 300 }, make());
    const send = (path: string) =>
      client.send({ url: new URL(base + path), method: "GET", headers: new Headers(), body: null, clientIp: "", signal: new AbortController().signal });
    try {
      const fast = await send("/fast");
      assert.equal(await new Response(fast.body).text(), "fast");
      const started = performance.now();
      await assert.rejects(send("/slow"), (err: unknown) => err instanceof UpstreamError && err.kind === "timeout");
      assert.ok(performance.now() - started < 1500, "rejected at the timeout, not when the upstream answered");
    } finally {
      client.close();
      server.closeAllConnections();
      server.close();
    }
  });
}
