// The upstream client against real node:http upstreams on 127.0.0.1, under Deno and Bun. Every transport this runtime
// may use is tested: node:http everywhere, and Bun's fetch (decompress:false) under Bun.
import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import process from "node:process";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import {
  createFetchTransport,
  createNodeTransport,
  createUpstreamClient,
  type ProxyInput,
  type ProxyOptions,
  type Transport,
  UpstreamError,
  type UpstreamResponse,
} from "../../src/proxy/index.ts";

const transports: Record<string, () => Transport> = "Bun" in globalThis
  ? { "node:http": createNodeTransport, "bun fetch": createFetchTransport }
  : { "node:http": createNodeTransport };

interface Upstream {
  url(path: string): URL;
  /** Sockets the upstream has accepted so far. */
  sockets(): number;
  close(): Promise<void>;
}

async function startUpstream(handler: http.RequestListener): Promise<Upstream> {
  const server = http.createServer(handler);
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => sockets.add(s));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => new URL(`http://127.0.0.1:${port}${path}`),
    sockets: () => sockets.size,
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, "close");
    },
  };
}

function input(url: URL, init: Partial<ProxyInput> = {}): ProxyInput {
  return { url, method: "GET", headers: new Headers(), body: null, clientIp: "10.1.2.3", ...init };
}

async function readAll(body: ReadableStream<Uint8Array> | null): Promise<Uint8Array> {
  assert.ok(body, "response has a body");
  return new Uint8Array(await new Response(body).arrayBuffer());
}

async function readRequest(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Rejects if `p` takes longer than `ms`: a proxy that buffers would otherwise hang the test until the runner's timeout. */
function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Runs `fn` with a fresh upstream and client, closing both whatever happens. */
async function withProxy(
  transport: () => Transport,
  handler: http.RequestListener,
  fn: (up: Upstream, send: (i: ProxyInput, o?: ProxyOptions) => Promise<UpstreamResponse>) => Promise<void>,
  defaults: ProxyOptions = {},
): Promise<void> {
  const up = await startUpstream(handler);
  const client = createUpstreamClient(defaults, transport());
  try {
    await fn(up, client.send);
  } finally {
    client.close();
    await up.close();
  }
}

/** Collects uncaught errors and unhandled rejections while `fn` runs, plus a short grace period after it. */
async function noStrayErrors(fn: () => Promise<void>): Promise<unknown[]> {
  const stray: unknown[] = [];
  const record = (e: unknown) => stray.push(e);
  process.on("uncaughtException", record);
  process.on("unhandledRejection", record);
  try {
    await fn();
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    process.off("uncaughtException", record);
    process.off("unhandledRejection", record);
  }
  return stray;
}

for (const [name, transport] of Object.entries(transports)) {
  test(`${name}: method, path, headers and a streamed POST body reach the upstream`, async () => {
    let seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string } | undefined;
    let firstChunkArrived!: () => void;
    const firstChunk = new Promise<void>((r) => (firstChunkArrived = r));
    await withProxy(transport, async (req, res) => {
      const chunks: string[] = [];
      for await (const c of req) {
        chunks.push(String(c));
        firstChunkArrived();
      }
      seen = { method: req.method, url: req.url, headers: req.headers, body: chunks.join("") };
      res.end("ok");
    }, async (up, send) => {
      // The second chunk is produced only after the upstream got the first: a client that buffered would never finish.
      const body = new ReadableStream<Uint8Array>({
        async start(c) {
          c.enqueue(new TextEncoder().encode("first,"));
          await within(3000, firstChunk, "the upstream receiving the first chunk before the body ended");
          c.enqueue(new TextEncoder().encode("second"));
          c.close();
        },
      });
      const headers = new Headers({
        "content-type": "text/plain",
        "x-plugin-added": "yes",
        "authorization": "Bearer t",
      });
      const res = await send(input(up.url("/v1/items?q=a%20b&x=1"), { method: "POST", headers, body }));
      assert.equal(new TextDecoder().decode(await readAll(res.body)), "ok");
    });
    assert.ok(seen);
    assert.equal(seen.method, "POST");
    assert.equal(seen.url, "/v1/items?q=a%20b&x=1");
    assert.equal(seen.body, "first,second");
    assert.equal(seen.headers["content-type"], "text/plain");
    assert.equal(seen.headers["x-plugin-added"], "yes");
    assert.equal(seen.headers["authorization"], "Bearer t");
  });

  test(`${name}: a Uint8Array body arrives with its Content-Length`, async () => {
    let seen: { length?: string; body: string } | undefined;
    await withProxy(transport, async (req, res) => {
      seen = { length: req.headers["content-length"], body: String(await readRequest(req)) };
      res.end();
    }, async (up, send) => {
      const res = await send(input(up.url("/"), { method: "PUT", body: new TextEncoder().encode("hello") }));
      await readAll(res.body);
    });
    assert.deepEqual(seen, { length: "5", body: "hello" });
  });

  test(`${name}: the response body streams to the client before the upstream finishes it`, async () => {
    let clientGotFirst!: () => void;
    const clientGot = new Promise<void>((r) => (clientGotFirst = r));
    await withProxy(transport, async (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("part1;");
      await within(3000, clientGot, "the client reading the first part before the upstream ended");
      res.end("part2");
    }, async (up, send) => {
      const res = await send(input(up.url("/")));
      assert.ok(res.body);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let text = "";
      while (!text.includes("part1;")) {
        const { value, done } = await within(3000, reader.read(), "first part");
        assert.ok(!done, "stream ended before part1");
        text += decoder.decode(value, { stream: true });
      }
      clientGotFirst();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      assert.equal(text, "part1;part2");
    });
  });

  test(`${name}: HEAD, 204 and 304 answers have no body and the connection stays reusable`, async () => {
    await withProxy(transport, (req, res) => {
      if (req.url === "/204") return res.writeHead(204).end();
      if (req.url === "/304") return res.writeHead(304, { etag: '"v1"' }).end();
      res.writeHead(200, { "content-length": "1000", "content-type": "text/plain" });
      res.end(req.method === "HEAD" ? undefined : "h".repeat(1000));
    }, async (up, send) => {
      for (const [method, path, status] of [["HEAD", "/", 200], ["GET", "/204", 204], ["GET", "/304", 304]] as const) {
        const res = await send(input(up.url(path), { method }));
        assert.equal(res.status, status);
        assert.equal(res.body, null, `${method} ${path} has no body`);
        // What the gateway does next: a body here would make the Response constructor throw for 204/304.
        new Response(res.body, { status: res.status, headers: res.headers });
      }
      const head = await send(input(up.url("/"), { method: "HEAD" }));
      assert.equal(head.headers.get("content-length"), "1000", "HEAD keeps the length of the body it describes");
      assert.equal((await readAll((await send(input(up.url("/")))).body)).length, 1000);
      assert.ok(up.sockets() <= 2, `5 requests used ${up.sockets()} upstream connections`);
    });
  });

  test(`${name}: redirects are passed to the client, not followed`, async () => {
    let followed = false;
    await withProxy(transport, (req, res) => {
      if (req.url === "/moved") return res.writeHead(302, { location: "/elsewhere" }).end();
      followed = true;
      res.end();
    }, async (up, send) => {
      const res = await send(input(up.url("/moved")));
      assert.equal(res.status, 302);
      assert.equal(res.headers.get("location"), "/elsewhere");
      await res.body?.cancel();
    });
    assert.equal(followed, false);
  });

  test(`${name}: a client upload that fails midway never reaches the upstream as complete`, async () => {
    let outcome: string | undefined;
    const stray = await noStrayErrors(() =>
      withProxy(transport, (req, res) => {
        req.on("end", () => (outcome = "complete"));
        req.on("aborted", () => (outcome = "aborted"));
        req.on("error", () => (outcome ??= "aborted"));
        req.resume();
        req.on("end", () => res.end());
      }, async (up, send) => {
        const body = new ReadableStream<Uint8Array>({
          async pull(c) {
            c.enqueue(new TextEncoder().encode("partial"));
            await new Promise((r) => setTimeout(r, 50));
            c.error(new Error("client connection lost"));
          },
        });
        await assert.rejects(send(input(up.url("/"), { method: "POST", body })));
        await new Promise((r) => setTimeout(r, 200));
      })
    );
    assert.equal(outcome, "aborted");
    assert.deepEqual(stray, []);
  });

  test(`${name}: an upstream dying mid-upload stops the proxy reading the client's body`, async () => {
    let cancelled!: () => void;
    const bodyCancelled = new Promise<void>((r) => (cancelled = r));
    const stray = await noStrayErrors(() =>
      withProxy(transport, (req) => {
        req.once("data", () => req.socket.destroy());
      }, async (up, send) => {
        const body = new ReadableStream<Uint8Array>({
          pull: (c) => c.enqueue(new Uint8Array(16 * 1024)), // endless upload
          cancel: () => cancelled(),
        });
        const sent = send(input(up.url("/"), { method: "POST", body }));
        await assert.rejects(sent, (err: unknown) => err instanceof UpstreamError && err.kind === "unreachable");
        await within(2000, bodyCancelled, "the client's body being cancelled");
      })
    );
    assert.deepEqual(stray, []);
  });

  test(`${name}: hop-by-hop headers are dropped both ways, end-to-end ones kept`, async () => {
    let upstreamSaw: http.IncomingHttpHeaders = {};
    await withProxy(transport, (req, res) => {
      upstreamSaw = req.headers;
      res.setHeader("connection", "x-upstream-hop");
      res.setHeader("x-upstream-hop", "1");
      res.setHeader("keep-alive", "timeout=5");
      res.setHeader("proxy-authenticate", "Basic realm=up");
      res.setHeader("trailer", "x-checksum");
      res.setHeader("upgrade", "h2c");
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.setHeader("x-end-to-end", "kept");
      res.write("chunked "); // no Content-Length: the upstream sends Transfer-Encoding: chunked
      res.end("body");
    }, async (up, send) => {
      const headers = new Headers({
        "connection": "X-Client-Hop, X-Other-Hop",
        "x-client-hop": "secret",
        "x-other-hop": "secret",
        "keep-alive": "timeout=9",
        "proxy-authorization": "Basic dXNlcjpwYXNz",
        "proxy-connection": "keep-alive",
        "te": "trailers",
        "trailer": "x-sum",
        "upgrade": "websocket",
        "x-end-to-end": "kept",
      });
      const res = await send(input(up.url("/"), { headers }));
      assert.equal(new TextDecoder().decode(await readAll(res.body)), "chunked body");
      for (
        const h of [
          "connection",
          "x-upstream-hop",
          "keep-alive",
          "proxy-authenticate",
          "trailer",
          "upgrade",
          "transfer-encoding",
        ]
      ) {
        assert.equal(res.headers.get(h), null, `response header ${h} reached the client`);
      }
      assert.equal(res.headers.get("x-end-to-end"), "kept");
      assert.deepEqual(res.headers.getSetCookie(), ["a=1", "b=2"]);
    });
    for (
      const h of [
        "x-client-hop",
        "x-other-hop",
        "keep-alive",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
      ]
    ) {
      assert.equal(upstreamSaw[h], undefined, `request header ${h} reached the upstream`);
    }
    // The transport's own Connection header is fine; the client's tokens must not be forwarded.
    assert.doesNotMatch(String(upstreamSaw.connection ?? ""), /hop/i);
    assert.equal(upstreamSaw["x-end-to-end"], "kept");
  });

  test(`${name}: X-Forwarded-For is appended to an existing value, or set`, async () => {
    const seen: Array<string | string[] | undefined> = [];
    await withProxy(transport, (req, res) => {
      seen.push(req.headers["x-forwarded-for"]);
      res.end();
    }, async (up, send) => {
      await readAll(
        (await send(input(up.url("/"), { headers: new Headers({ "x-forwarded-for": "203.0.113.7, 198.51.100.2" }) })))
          .body,
      );
      await readAll((await send(input(up.url("/"), { clientIp: "::1" }))).body);
    });
    assert.deepEqual(seen, ["203.0.113.7, 198.51.100.2, 10.1.2.3", "::1"]);
  });

  test(`${name}: Host is the target's unless preserveHost`, async () => {
    const seen: Array<string | undefined> = [];
    let target = "";
    await withProxy(transport, (req, res) => {
      seen.push(req.headers.host);
      res.end();
    }, async (up, send) => {
      target = up.url("/").host;
      const headers = new Headers({ host: "api.example.com" });
      await readAll((await send(input(up.url("/"), { headers }))).body);
      await readAll((await send(input(up.url("/"), { headers }), { preserveHost: true })).body);
      await readAll((await send(input(up.url("/")), { preserveHost: true })).body); // no client Host: the target's
    });
    assert.deepEqual(seen, [target, "api.example.com", target]);
  });

  test(`${name}: preserveHost set on the client applies to every send`, async () => {
    let seen: string | undefined;
    await withProxy(transport, (req, res) => {
      seen = req.headers.host;
      res.end();
    }, async (up, send) => {
      await readAll((await send(input(up.url("/"), { headers: new Headers({ host: "kept.example" }) }))).body);
    }, { preserveHost: true });
    assert.equal(seen, "kept.example");
  });

  test(`${name}: a gzip body reaches the client byte for byte, still gzip, Accept-Encoding forwarded as is`, async () => {
    const gz = gzipSync(new TextEncoder().encode(JSON.stringify({ items: Array.from({ length: 2000 }, (_, i) => i) })));
    let acceptEncoding: string | undefined;
    await withProxy(transport, (req, res) => {
      acceptEncoding = req.headers["accept-encoding"];
      if (req.url === "/chunked") {
        res.writeHead(200, { "content-encoding": "gzip", "content-type": "application/json" });
        res.write(gz.subarray(0, 100));
        res.end(gz.subarray(100));
      } else {
        res.writeHead(200, {
          "content-encoding": "gzip",
          "content-type": "application/json",
          "content-length": gz.length,
        });
        res.end(gz);
      }
    }, async (up, send) => {
      for (const path of ["/sized", "/chunked"]) {
        const headers = new Headers({ "accept-encoding": "gzip, br;q=0.5" });
        const res = await send(input(up.url(path), { headers }));
        const bytes = await readAll(res.body);
        assert.equal(acceptEncoding, "gzip, br;q=0.5");
        assert.equal(res.headers.get("content-encoding"), "gzip", path);
        assert.deepEqual(bytes, new Uint8Array(gz), `${path}: the client got the upstream's exact gzip bytes`);
        const length = res.headers.get("content-length");
        assert.ok(
          length === null || Number(length) === gz.length,
          `${path}: Content-Length ${length} vs ${gz.length} bytes`,
        );
      }
    });
  });

  test(`${name}: upstream connections are reused`, async () => {
    const requests = 20;
    await withProxy(transport, (_req, res) => res.end("x".repeat(100)), async (up, send) => {
      for (let i = 0; i < requests; i++) await readAll((await send(input(up.url(`/${i}`)))).body);
      for (let round = 0; round < 3; round++) {
        await Promise.all(Array.from({ length: 5 }, async () => readAll((await send(input(up.url("/")))).body)));
      }
      assert.ok(up.sockets() <= 6, `${requests + 15} requests used ${up.sockets()} upstream connections`);
    });
  });

  test(`${name}: connection refused and DNS failure are "unreachable"`, async () => {
    const closed = await startUpstream((_req, res) => res.end());
    const deadUrl = closed.url("/");
    await closed.close();
    const client = createUpstreamClient({ timeoutMs: 5000 }, transport());
    try {
      for (const url of [deadUrl, new URL("http://no-such-host.invalid/")]) {
        await assert.rejects(client.send(input(url)), (err: unknown) => {
          assert.ok(err instanceof UpstreamError, `${url}: ${err}`);
          assert.equal(err.kind, "unreachable");
          return true;
        });
      }
    } finally {
      client.close();
    }
  });

  test(`${name}: no response headers within timeoutMs is "timeout", and the upstream request is aborted`, async () => {
    let upstreamClosed!: () => void;
    const closedUpstream = new Promise<void>((r) => (upstreamClosed = r));
    await withProxy(transport, (req) => {
      req.socket.on("close", () => upstreamClosed()); // never answers
    }, async (up, send) => {
      const started = performance.now();
      await assert.rejects(send(input(up.url("/slow")), { timeoutMs: 150 }), (err: unknown) => {
        assert.ok(err instanceof UpstreamError, String(err));
        assert.equal(err.kind, "timeout");
        return true;
      });
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 140 && elapsed < 2000, `timed out after ${elapsed.toFixed(0)} ms`);
      await within(2000, closedUpstream, "the upstream connection closing after the timeout");
    });
  });

  test(`${name}: the timeout covers headers only, not a slow body`, async () => {
    await withProxy(transport, (_req, res) => {
      res.writeHead(200);
      res.write("a");
      setTimeout(() => res.end("b"), 300);
    }, async (up, send) => {
      const res = await send(input(up.url("/")), { timeoutMs: 100 });
      assert.equal(new TextDecoder().decode(await readAll(res.body)), "ab");
    });
  });

  test(`${name}: an upstream closing mid-body errors the stream and crashes nothing`, async () => {
    const stray = await noStrayErrors(() =>
      withProxy(transport, (req, res) => {
        if (req.url === "/ok") return res.end("still fine");
        res.writeHead(200, { "content-length": "100000" });
        res.write("x".repeat(1000));
        setTimeout(() => req.socket.destroy(), 20);
      }, async (up, send) => {
        const res = await send(input(up.url("/cut")));
        assert.equal(res.status, 200);
        await assert.rejects(readAll(res.body), "reading a truncated body fails rather than ending cleanly");
        const after = await send(input(up.url("/ok")));
        assert.equal(new TextDecoder().decode(await readAll(after.body)), "still fine");
      })
    );
    assert.deepEqual(stray, []);
  });

  test(`${name}: a client abort before the response rejects send and closes the upstream request`, async () => {
    let upstreamClosed!: () => void;
    const closedUpstream = new Promise<void>((r) => (upstreamClosed = r));
    let arrived!: () => void;
    const requestArrived = new Promise<void>((r) => (arrived = r));
    const stray = await noStrayErrors(() =>
      withProxy(transport, (req) => {
        req.socket.on("close", () => upstreamClosed());
        arrived(); // never answers
      }, async (up, send) => {
        const ac = new AbortController();
        const pending = send(input(up.url("/hang"), { signal: ac.signal }));
        await within(3000, requestArrived, "the request reaching the upstream");
        ac.abort();
        await assert.rejects(pending, (err: unknown) => {
          assert.ok(!(err instanceof UpstreamError), "a client abort is not an upstream failure");
          assert.equal((err as Error).name, "AbortError");
          return true;
        });
        await within(2000, closedUpstream, "the upstream connection closing after the client abort");
      })
    );
    assert.deepEqual(stray, []);
  });

  test(`${name}: a client abort mid-body stops the download upstream`, async () => {
    let upstreamClosed!: () => void;
    const closedUpstream = new Promise<void>((r) => (upstreamClosed = r));
    const stray = await noStrayErrors(() =>
      withProxy(transport, (_req, res) => {
        res.on("close", () => upstreamClosed());
        res.writeHead(200, { "content-length": "1000000" });
        res.write("y".repeat(1000)); // then nothing: only the abort ends this exchange
      }, async (up, send) => {
        const ac = new AbortController();
        const res = await send(input(up.url("/"), { signal: ac.signal }));
        assert.ok(res.body);
        const reader = res.body.getReader();
        await reader.read();
        ac.abort();
        await assert.rejects(
          within(
            2000,
            (async () => {
              for (;;) {
                if ((await reader.read()).done) throw new Error("ended cleanly");
              }
            })(),
            "the body erroring",
          ),
          (err: unknown) => !(err as Error).message.includes("ended cleanly"),
        );
        await within(2000, closedUpstream, "the upstream response closing after the client abort");
      })
    );
    assert.deepEqual(stray, []);
  });

  test(`${name}: cancelling the response body (the client disconnected) closes the upstream response`, async () => {
    let upstreamClosed!: () => void;
    const closedUpstream = new Promise<void>((r) => (upstreamClosed = r));
    const stray = await noStrayErrors(() =>
      withProxy(transport, (_req, res) => {
        res.on("close", () => upstreamClosed());
        res.writeHead(200, { "content-length": "1000000" });
        res.write("z".repeat(1000)); // then nothing: only the cancel ends this exchange
      }, async (up, send) => {
        const res = await send(input(up.url("/")));
        assert.ok(res.body);
        const reader = res.body.getReader();
        await reader.read();
        await reader.cancel();
        await within(2000, closedUpstream, "the upstream response closing after the body was cancelled");
      })
    );
    assert.deepEqual(stray, []);
  });

  test(`${name}: 50 MB up and 50 MB down stream with bounded buffering`, async () => {
    // Bytes one side has handed over but the other has not yet taken stay bounded (socket and stream buffers), where a
    // proxy that buffers a body would hold all of it. RSS is too noisy a measure here: each runtime's GC lags differently.
    const size = 50 * 1024 * 1024;
    const chunk = new Uint8Array(64 * 1024).fill(97);
    let produced = 0, consumed = 0, maxLead = 0;
    const lead = () => (maxLead = Math.max(maxLead, produced - consumed));
    await withProxy(transport, async (req, res) => {
      if (req.method === "POST") {
        for await (const c of req) consumed += (c as Buffer).length;
        return res.end(String(consumed));
      }
      res.writeHead(200, { "content-length": String(size) });
      while (produced < size) {
        produced += chunk.length;
        lead();
        if (!res.write(chunk)) await once(res, "drain");
      }
      res.end();
    }, async (up, send) => {
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (produced >= size) return c.close();
          produced += chunk.length;
          lead();
          c.enqueue(chunk);
        },
      });
      const upload = await send(
        input(up.url("/"), { method: "POST", body, headers: new Headers({ "content-length": String(size) }) }),
      );
      assert.equal(new TextDecoder().decode(await readAll(upload.body)), String(size));
      const uploadLead = maxLead;
      produced = consumed = maxLead = 0;
      const download = await send(input(up.url("/")));
      assert.ok(download.body);
      for await (const c of download.body) consumed += c.byteLength;
      assert.equal(consumed, size);
      const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
      // Buffering a body would put all 50 MB in flight; socket and stream buffers stay well under half of it.
      assert.ok(uploadLead < size / 2, `upload: up to ${mb(uploadLead)} in flight`);
      assert.ok(maxLead < size / 2, `download: up to ${mb(maxLead)} in flight`);
      console.log(`${name}: most bytes in flight: upload ${mb(uploadLead)}, download ${mb(maxLead)}`);
    });
  });
}
