// Bodies and framing as HTTP/1.1 requires (RFC 9112) and as Tyk answers:
// a body the gateway cannot forward is refused rather than dropped or left
// hanging, an oversized one is refused before anything goes upstream, a
// repeated identical Content-Length is one length, and an upstream's
// Content-Length reaches the client.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type GatewayProcess, keylessApi, startGatewayProcess } from "../helpers/gateway.ts";
import { rawHttp } from "../helpers/raw-http.ts";
import { testShim } from "../helpers/shim.ts";
import { type Sink, startSink } from "../helpers/sink.ts";

const LIMIT = 1000;
const { plugins } = await testShim();
let sink: Sink;
let gw: GatewayProcess;

const goplugin = (hooks: Record<string, unknown>) => ({ custom_middleware: { driver: "goplugin", ...hooks } });

before(async () => {
  sink = await startSink();
  gw = await startGatewayProcess({
    log_level: "info",
    // Short, so a request left hanging upstream fails fast instead of at 30 s.
    proxy_default_timeout: 5,
    http_server_options: { max_request_body_size: LIMIT, max_response_body_size: LIMIT },
  }, [
    keylessApi("plain", "/plain/", sink.url),
    keylessApi("prehook", "/prehook/", sink.url, goplugin({ pre: [{ name: "Noop", path: plugins.addheader }] })),
    keylessApi(
      "resphook",
      "/resphook/",
      sink.url,
      goplugin({ response: [{ name: "UpperStatus", path: plugins.respbody }] }),
    ),
  ]);
});

after(async () => {
  await gw?.stop();
  await sink?.close();
});

const head = (method: string, path: string, lines: string[]) =>
  `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines.map((l) => `${l}\r\n`).join("")}Connection: close\r\n\r\n`;
const chunk = (s: string) => `${s.length.toString(16)}\r\n${s}\r\n`;

/** Requests the sink received for `path` since `from` (an index into sink.requests). */
const reached = (from: number, path: string) => sink.requests.slice(from).filter((r) => r.url === path);

test("framing: a GET or HEAD with a body is refused with 501 and nothing goes upstream (the runtimes' servers drop such bodies)", async () => {
  const from = sink.requests.length;
  const cases: Array<[string, string[], string[]]> = [
    ["GET", ["Content-Length: 8"], ["get-body"]],
    ["GET", ["Transfer-Encoding: chunked"], [chunk("get-body"), "0\r\n\r\n"]],
    ["HEAD", ["Content-Length: 8"], ["get-body"]],
  ];
  for (const [method, lines, parts] of cases) {
    const res = await rawHttp(gw.port, head(method, "/plain/with-body", lines), parts);
    assert.equal(res.status, 501, `${method} ${lines[0]}: ${res.body.toString()}`);
    if (method === "GET") {
      assert.deepEqual(JSON.parse(res.body.toString()), {
        error: "A body on a GET request is not supported by this gateway",
      });
    }
  }
  assert.deepEqual(reached(from, "/with-body"), [], "no request went upstream without its body");

  const empty = await rawHttp(gw.port, head("GET", "/plain/no-body", ["Content-Length: 0"]));
  assert.equal(empty.status, 200, "a GET with an empty body is served");
});

test("framing: a chunked body over max_request_body_size gets Tyk's 413 and the upstream receives nothing", async () => {
  const from = sink.requests.length;
  const parts = [chunk("x".repeat(600)), chunk("y".repeat(600)), "0\r\n\r\n"];
  for (const path of ["/plain/chunked", "/prehook/chunked"]) {
    const res = await rawHttp(gw.port, head("POST", path, ["Transfer-Encoding: chunked"]), parts);
    assert.equal(res.status, 413, `${path}: ${res.body.toString()}`);
    assert.equal(res.body.toString(), "Request Entity Too Large\n", path);
    assert.equal(res.headers["content-type"], "text/plain; charset=utf-8");
  }
  assert.deepEqual(reached(from, "/chunked"), [], "nothing was sent upstream");

  const fits = await rawHttp(gw.port, head("POST", "/plain/chunked-fits", ["Transfer-Encoding: chunked"]), [
    chunk("a".repeat(500)),
    chunk("b".repeat(500)),
    "0\r\n\r\n",
  ]);
  assert.equal(fits.status, 200);
  assert.deepEqual(
    JSON.parse(fits.body.toString()),
    { received: 1000 },
    "a chunked body within the limit reaches the upstream whole",
  );
});

test("framing: a declared Content-Length over max_request_body_size gets Tyk's 413 and the upstream receives nothing", async () => {
  const from = sink.requests.length;
  const res = await rawHttp(gw.port, head("POST", "/plain/declared", [`Content-Length: ${LIMIT + 1}`]), [
    "z".repeat(LIMIT + 1),
  ]);
  assert.equal(res.status, 413);
  assert.equal(res.body.toString(), "Request Entity Too Large\n");
  assert.deepEqual(reached(from, "/declared"), []);
});

test("framing: a Content-Length repeated with the same value is one length (RFC 9112 6.3); the upstream gets it once", async () => {
  const from = sink.requests.length;
  const res = await rawHttp(gw.port, head("POST", "/plain/dup", ["Content-Length: 5", "Content-Length: 5"]), ["hello"]);
  assert.equal(res.status, 200, res.body.toString());
  assert.deepEqual(JSON.parse(res.body.toString()), { received: 5 });
  const [seen] = reached(from, "/dup");
  assert.equal(seen.headers["content-length"], "5");

  const plugin = await rawHttp(gw.port, head("POST", "/prehook/dup", ["Content-Length: 5", "Content-Length: 5"]), [
    "hello",
  ]);
  assert.equal(plugin.status, 200, plugin.body.toString());
  assert.deepEqual(JSON.parse(plugin.body.toString()), { received: 5 });
});

test("framing: an upstream's Content-Length reaches the client even while its body is still streaming", async () => {
  const res = await rawHttp(gw.port, head("GET", "/plain/download?bytes=5000&pause=300", []));
  assert.equal(res.status, 200);
  assert.equal(res.headers["content-length"], "5000");
  assert.equal(res.headers["transfer-encoding"], undefined);
  assert.equal(res.body.length, 5000);
});

test("framing: max_response_body_size bounds the answer held for response hooks (Tyk's 500 past it)", async () => {
  const over = await fetch(`${gw.url}/resphook/download?bytes=${LIMIT + 1}`);
  assert.equal(over.status, 500);
  assert.deepEqual(await over.json(), { error: "Response body too large" });
  const within = await fetch(`${gw.url}/resphook/download?bytes=${LIMIT}`);
  assert.equal(within.status, 201, "the hook ran on it");
  assert.equal((await within.arrayBuffer()).byteLength, LIMIT);
});
