// One request, one *http.Request: in Tyk every Go hook of an HTTP request
// (pre, auth_check, post_key_auth, Go virtual endpoints, post, and the
// response hook's req) gets the same live request, so what one hook does to
// its body, context, session or URL is what the next one sees. These tests
// check Tyk's observable behaviour through the real gateway process, a real
// upstream and the Go plugin test/plugins/lifecycle: what the upstream
// received (its echo), and what the client got back.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { after, before, test } from "node:test";
import { type GatewayProcess, goVirtualEndpoints, keylessApi, SECRET, startGatewayProcess } from "../helpers/gateway.ts";
import { pollGauge } from "../helpers/metrics.ts";
import { rawHttp } from "../helpers/raw-http.ts";
import { testShim } from "../helpers/shim.ts";
import { stopWithin } from "../helpers/stop.ts";
import { type Echo, startUpstream, type Upstream } from "../helpers/upstream.ts";

const { plugins } = await testShim();
const lifecycle = plugins.lifecycle;
let up: Upstream;
let gw: GatewayProcess;

const hook = (name: string) => ({ name, path: lifecycle });
const goplugin = (hooks: Record<string, unknown>) => ({ custom_middleware: { driver: "goplugin", ...hooks } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const withTimeout = (ms = 15_000) => AbortSignal.timeout(ms);

async function echoOf(res: Response): Promise<Echo> {
  const text = await res.text();
  assert.equal(res.status, 200, `expected the upstream's 200 echo, got ${res.status}: ${text}`);
  assert.equal(res.headers.get("x-upstream"), "yes", "answered by the upstream");
  return JSON.parse(text);
}

/** Keyless: a pre hook sets a context value; a post hook, a response hook and a Go virtual endpoint read it. */
function ctxApi(target: string): Record<string, unknown> {
  return keylessApi("lcctx", "/lcctx/", target, {
    ...goplugin({ pre: [hook("CtxSet")], post: [hook("CtxPost")], response: [hook("CtxResponse")] }),
    ...goVirtualEndpoints([{ plugin_path: lifecycle, path: "/virtual", method: "GET", func_name: "CtxVirtual" }]),
  });
}

/** Go plugin auth (auth_check), with post_key_auth and post hooks reading the session. */
function sessionApi(target: string): Record<string, unknown> {
  return {
    ...keylessApi(
      "lcsession",
      "/lcsession/",
      target,
      goplugin({
        auth_check: hook("SessionAuth"),
        post_key_auth: [hook("SessionTypesPostKeyAuth")],
        post: [hook("SessionTypesPost")],
      }),
    ),
    use_keyless: false,
    use_go_plugin_auth: true,
  };
}

before(async () => {
  up = await startUpstream();
  gw = await startGatewayProcess({
    // With a body size limit Tyk reads every request body into its re-readable
    // buffer as it comes in, bodies of unknown length (chunked) included.
    http_server_options: { max_request_body_size: 10 << 20 },
  }, [
    keylessApi("lcform", "/lcform/", up.url, goplugin({ pre: [hook("BodyParseFormThenRead")] })),
    keylessApi("lcbody", "/lcbody/", up.url, goplugin({ pre: [hook("BodyReadFirst"), hook("BodyReadSecond")] })),
    keylessApi(
      "lcmultipart",
      "/lcmultipart/",
      up.url,
      goplugin({ pre: [hook("BodyParseMultipart")], post: [hook("BodyFormValueAgain")] }),
    ),
    keylessApi(
      "lcreplace",
      "/lcreplace/",
      up.url,
      goplugin({ pre: [hook("BodyReplace")], post: [hook("BodyReadSecond")] }),
    ),
    ctxApi(up.url),
    sessionApi(up.url),
    { ...keylessApi("lcinplace", "/lcinplace/", up.url, goplugin({ post_key_auth: [hook("SessionLimitInPlace")] })), use_keyless: false, use_standard_auth: true },
    keylessApi("lcurl", "/lcurl/", up.url, goplugin({ pre: [hook("URLSetRelativePath")], post: [hook("URLAfter")] })),
    keylessApi("lcquery", "/lcquery/", up.url, goplugin({ pre: [hook("URLAddQuery")], post: [hook("URLReadQuery")] })),
    keylessApi("lcenc", "/lcenc/", up.url, goplugin({ pre: [hook("URLShowPath")] })),
    keylessApi("lc", "/lc/", up.url, goplugin({ response: [hook("ResponseShowRequest")] })),
    keylessApi("lcanswer", "/lcanswer/", up.url, goplugin({ pre: [hook("AnswerKind")] })),
  ]);
});

after(async () => {
  const code = gw ? await stopWithin(gw, 15_000) : 0;
  await up?.close();
  assert.equal(code, 0, "gateway exits 0 on SIGTERM");
});

const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;

// ---------------------------------------------------------------------------
// 1. The body can be read by every hook, and still reaches the upstream.

test("request-lifecycle: a pre hook that parses the form and then reads the body sees all of it, and so does the upstream", async () => {
  const res = await fetch(`${gw.url}/lcform/post`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "a=1&b=two",
    signal: withTimeout(),
  });
  const echo = await echoOf(res);
  assert.equal(echo.headers["x-form-error"], undefined);
  assert.equal(echo.headers["x-form-b"], "two", "ParseForm parsed the body");
  assert.equal(echo.headers["x-read-len"], "9", "io.ReadAll after ParseForm reads the whole body again");
  assert.equal(echo.body, "a=1&b=two");
  assert.equal(echo.headers["content-length"], "9");
});

test("request-lifecycle: two pre hooks each read the whole XML body without restoring it; the upstream gets it too", async () => {
  const xml = `<?xml version="1.0"?><order><id>42</id><item>book</item></order>`;
  const res = await fetch(`${gw.url}/lcbody/orders`, {
    method: "POST",
    headers: { "content-type": "application/xml" },
    body: xml,
    signal: withTimeout(),
  });
  const echo = await echoOf(res);
  assert.equal(echo.headers["x-first-body"], xml, "the first hook reads the body");
  assert.equal(echo.headers["x-first-len"], String(xml.length));
  assert.equal(echo.headers["x-second-body"], xml, "the second hook reads it again from the start");
  assert.equal(echo.headers["x-second-len"], String(xml.length));
  assert.equal(echo.body, xml);
  assert.equal(echo.headers["content-length"], String(xml.length));
});

test("request-lifecycle: a multipart form parsed by a pre hook is still there for a post hook, and the upstream gets the body unchanged", async () => {
  // In Tyk the body is rewound at the start of every Go hook; a multipart
  // parse may stop at the closing boundary without reading to EOF, so the
  // post hook here is what rewinds it for the proxy, as in Tyk.
  const b = "lifecycle-boundary-7d1a";
  const body = `--${b}\r\nContent-Disposition: form-data; name="name"\r\n\r\nlifecycle\r\n` +
    `--${b}\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\nContent-Type: text/plain\r\n\r\nfile contents\r\n` +
    `--${b}--\r\n`;
  const res = await fetch(`${gw.url}/lcmultipart/upload`, {
    method: "POST",
    headers: { "content-type": `multipart/form-data; boundary=${b}` },
    body,
    signal: withTimeout(),
  });
  const echo = await echoOf(res);
  assert.equal(echo.headers["x-multipart-error"], undefined);
  assert.equal(echo.headers["x-form-name"], "lifecycle");
  assert.equal(echo.headers["x-form-file"], "f.txt:13");
  assert.equal(echo.headers["x-post-form-name"], "lifecycle", "the post hook reads the same form");
  assert.equal(echo.body, body, "the upstream receives the multipart body unchanged");
  assert.equal(echo.headers["content-length"], String(body.length));
  assert.equal(echo.headers["content-type"], `multipart/form-data; boundary=${b}`);
});

test("request-lifecycle: a chunked request body is read whole by two pre hooks and reaches the upstream whole", async () => {
  // As in Tyk 5.1+ with http_server_options.max_request_body_size (set
  // above); without it Tyk leaves a body of unknown length unbuffered, so a
  // hook that reads it leaves nothing for the next one or the upstream.
  const parts = [`<?xml version="1.0"?><order>`, `<id>42</id>`, `<item>chunked</item></order>`];
  const whole = parts.join("");
  const res = await rawHttp(
    gw.port,
    `POST /lcbody/chunked HTTP/1.1\r\nHost: 127.0.0.1:${gw.port}\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
    [...parts.map(chunk), "0\r\n\r\n"],
  );
  assert.equal(res.status, 200, res.body.toString());
  const echo: Echo = JSON.parse(res.body.toString("utf8"));
  assert.equal(echo.headers["x-first-body"], whole, "the first hook sees every chunk");
  assert.equal(echo.headers["x-second-body"], whole, "the second hook sees every chunk again");
  assert.equal(echo.body, whole, "the upstream receives every chunk");
});

test("request-lifecycle: a body replaced by a pre hook is what a later post hook reads and what the upstream gets", async () => {
  const res = await fetch(`${gw.url}/lcreplace/post`, {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: "the original, longer body",
    signal: withTimeout(),
  });
  const echo = await echoOf(res);
  assert.equal(echo.headers["x-second-body"], "new body", "the post hook reads the replaced body");
  assert.equal(echo.headers["x-second-len"], "8");
  assert.equal(echo.body, "new body");
  assert.equal(echo.headers["content-length"], "8", "Content-Length follows r.ContentLength");
});

// Bun.serve and Deno.serve hand the gateway no body for a GET: the server layer, not the plugin call path,
// has to change for this (tracked with the framing work of the security issue). Kept as a known failure.
test("request-lifecycle: a GET with a body: the pre hooks read it, and the upstream gets it", { todo: "GET bodies are dropped by the runtimes' servers" }, async () => {
  const res = await rawHttp(
    gw.port,
    `GET /lcbody/search HTTP/1.1\r\nHost: 127.0.0.1:${gw.port}\r\nContent-Type: text/plain\r\nContent-Length: 8\r\nConnection: close\r\n\r\n`,
    ["get-body"],
  );
  // Go's net/http, hence Tyk, gives a GET its body like any other method.
  assert.equal(res.status, 200, res.body.toString());
  const echo: Echo = JSON.parse(res.body.toString("utf8"));
  assert.equal(echo.method, "GET");
  assert.equal(echo.headers["x-first-body"], "get-body", "the first pre hook reads the GET's body");
  assert.equal(echo.headers["x-second-body"], "get-body", "the second pre hook reads it again");
  assert.equal(echo.body, "get-body", "the upstream receives the GET's body");
});

// ---------------------------------------------------------------------------
// 2. A value a pre hook puts in the request's context is seen by every later hook.

test("request-lifecycle: a context value set by a pre hook reaches the post hook, the response hook and a Go virtual endpoint", async () => {
  const res = await fetch(`${gw.url}/lcctx/get`, { signal: withTimeout() });
  assert.equal(res.headers.get("x-ctx-response"), "set-by-pre", "the response hook's req carries the context");
  const echo = await echoOf(res);
  assert.equal(echo.headers["x-ctx-post"], "set-by-pre", "the post hook reads the context");

  const virtual = await fetch(`${gw.url}/lcctx/virtual`, { signal: withTimeout() });
  const text = await virtual.text();
  assert.equal(virtual.status, 200, text);
  assert.equal(virtual.headers.get("x-upstream"), null, "the virtual endpoint answers");
  assert.equal(text, "ctx=set-by-pre", "the virtual endpoint reads the context");
});

// ---------------------------------------------------------------------------
// 3. The session an auth_check hook sets is the same Go value later.

test("request-lifecycle: session metadata keeps its Go types from auth_check to post_key_auth and post", async () => {
  const denied = await fetch(`${gw.url}/lcsession/get`, { headers: { authorization: "wrong" }, signal: withTimeout() });
  assert.equal(denied.status, 403);
  await denied.text();

  const res = await fetch(`${gw.url}/lcsession/get`, {
    headers: { authorization: "lifecycle-token" },
    signal: withTimeout(),
  });
  const echo = await echoOf(res);
  for (const at of ["x-pka", "x-post"]) {
    assert.equal(echo.headers[`${at}-session`], "lifecycle", `${at}: the session is there`);
    assert.deepEqual(
      {
        tier: echo.headers[`${at}-tier`],
        big: echo.headers[`${at}-big`],
        nested: echo.headers[`${at}-nested`],
        nestedValue: echo.headers[`${at}-nested-value`],
      },
      { tier: "int", big: "int64", nested: "main.nested", nestedValue: "{A:1}" },
      `${at}: MetaData values are the Go values auth_check stored`,
    );
  }
});

test("request-lifecycle: a key's session changed in place by post_key_auth (no SetSession) is what the rate limiter enforces", async () => {
  const created = await fetch(`${gw.url}/tyk/keys`, {
    method: "POST",
    headers: { "x-tyk-authorization": SECRET },
    body: JSON.stringify({ org_id: "o", rate: 1000, per: 1, quota_max: -1, access_rights: { lcinplace: { api_id: "lcinplace", versions: ["Default"] } } }),
    signal: withTimeout(),
  });
  const { key } = await created.json();
  const get = () => fetch(`${gw.url}/lcinplace/get`, { headers: { authorization: key }, signal: withTimeout() });
  await echoOf(await get());
  const second = await get();
  await second.text();
  assert.equal(second.status, 429, "rate 1 per 60 s, set on the session object by the hook");
});

// ---------------------------------------------------------------------------
// 4. URL changes follow Go's net/url, and later hooks see them.

test("request-lifecycle: a pre hook setting a path without a leading slash, followed by a post hook, reaches /svc-v1/", async () => {
  const res = await fetch(`${gw.url}/lcurl/anything?keep=1`, { signal: withTimeout() });
  const echo = await echoOf(res);
  assert.equal(echo.headers["x-post-path"], "svc-v1/", "the post hook sees the path as the pre hook set it");
  assert.equal(echo.url, "/svc-v1/?keep=1");
});

test("request-lifecycle: a query parameter a pre hook adds is read by a post hook and reaches the upstream", async () => {
  const res = await fetch(`${gw.url}/lcquery/get?orig=x`, { signal: withTimeout() });
  const echo = await echoOf(res);
  assert.equal(echo.headers["x-added"], "1");
  // url.Values.Encode sorts by key.
  assert.equal(echo.url, "/get?added=1&orig=x");
});

test("request-lifecycle: an encoded path is decoded in r.URL.Path, kept in RawPath and EscapedPath, and passed on encoded", async () => {
  const res = await fetch(`${gw.url}/lcenc/a%20b/c%2Fd`, { signal: withTimeout() });
  const echo = await echoOf(res);
  // The hooks see the listen path: Tyk strips it only when proxying.
  assert.deepEqual(
    {
      path: echo.headers["x-path"],
      rawPath: echo.headers["x-raw-path"],
      escapedPath: echo.headers["x-escaped-path"],
      requestUri: echo.headers["x-request-uri"],
    },
    {
      path: "/lcenc/a b/c/d",
      rawPath: "/lcenc/a%20b/c%2Fd",
      escapedPath: "/lcenc/a%20b/c%2Fd",
      requestUri: "/lcenc/a%20b/c%2Fd",
    },
  );
  assert.equal(echo.url, "/a%20b/c%2Fd", "the upstream gets the path still encoded, %2F included");
});

// ---------------------------------------------------------------------------
// 5. The response hook's req is the request as it went upstream.

test("request-lifecycle: the response hook's req has the upstream's scheme and host and the stripped path", async () => {
  const res = await fetch(`${gw.url}/lc/foo/bar?x=1`, { signal: withTimeout() });
  const headers = {
    path: res.headers.get("x-req-path"),
    host: res.headers.get("x-req-host"),
    scheme: res.headers.get("x-req-scheme"),
    query: res.headers.get("x-req-query"),
  };
  const echo = await echoOf(res);
  assert.equal(echo.url, "/foo/bar?x=1");
  assert.deepEqual(headers, { path: "/foo/bar", host: new URL(up.url).host, scheme: "http", query: "x=1" });
});

// ---------------------------------------------------------------------------
// 6. A plugin's own answer follows Go's net/http.

test("request-lifecycle: a plugin's answer without Content-Type gets the type Go's http.DetectContentType gives", async () => {
  // Bodies as answer.go writes them, and what Go 1.x net/http sends for each.
  const cases: Array<[kind: string, body: string, contentType: string]> = [
    ["html", "<html><body>hi</body></html>", "text/html; charset=utf-8"],
    ["binary", "\x00\x01\x02", "application/octet-stream"],
    ["png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"],
    ["pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"],
    ["gif", "GIF89a\x01\x00\x01\x00", "image/gif"],
    ["jpeg", "\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"],
    ["zip", "PK\x03\x04\x14\x00", "application/zip"],
    ["wasm", "\x00asm\x01\x00\x00\x00", "application/wasm"],
    ["xml", `<?xml version="1.0"?><a/>`, "text/xml; charset=utf-8"],
    ["json", `{"a":1}`, "text/plain; charset=utf-8"],
    ["text", "plain words", "text/plain; charset=utf-8"],
  ];
  const hits = up.hits;
  const got: Record<string, unknown> = {};
  const want: Record<string, unknown> = {};
  for (const [kind, body, contentType] of cases) {
    const res = await fetch(`${gw.url}/lcanswer/x?kind=${kind}`, { signal: withTimeout() });
    const bytes = Buffer.from(await res.arrayBuffer());
    got[kind] = {
      status: res.status,
      contentType: res.headers.get("content-type"),
      body: bytes.toString("latin1"),
      by: res.headers.get("x-answered-by"),
    };
    want[kind] = { status: 200, contentType, body, by: "lifecycle" };
  }
  assert.deepEqual(got, want);
  assert.equal(up.hits, hits, "the upstream is not reached");
});

test("request-lifecycle: a plugin that only calls WriteHeader(204) answers 204 with no body", async () => {
  const res = await fetch(`${gw.url}/lcanswer/x?kind=nocontent`, { signal: withTimeout() });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get("x-answered-by"), "lifecycle");
  assert.equal(res.headers.get("content-type"), null);
  assert.equal(await res.text(), "");
});

// ---------------------------------------------------------------------------
// 8. Every request's Go twin is released, however the request ends. On a
// gateway of its own, so that a request another test left hanging cannot
// count here.

const LEAK_PLUGIN_TIMEOUT_MS = 500;
const LEAK_SLEEP_MS = 1500;

function leakApis(target: string): Array<Record<string, unknown>> {
  return [
    keylessApi(
      "lcbusy",
      "/lcbusy/",
      target,
      goplugin({ pre: [hook("Busy")], post: [hook("Mark")], response: [hook("MarkResponse")] }),
    ),
    // Nothing listens on port 1: the proxy answers 502.
    keylessApi(
      "lcdown",
      "/lcdown/",
      "http://127.0.0.1:1",
      goplugin({ pre: [hook("Mark")], response: [hook("MarkResponse")] }),
    ),
    ctxApi(target),
    sessionApi(target),
  ];
}

type Kind =
  | "normal"
  | "answered"
  | "panic"
  | "upstream-down"
  | "upstream-500"
  | "session"
  | "bad-token"
  | "virtual"
  | "timeout"
  | "abort-in-plugin"
  | "abort-upstream";

function kindOf(i: number): Kind {
  switch (i % 40) {
    case 0:
      return "timeout";
    case 1:
    case 2:
      return "abort-in-plugin";
    case 3:
      return "abort-upstream";
    case 4:
    case 5:
    case 6:
    case 7:
      return "answered";
    case 8:
    case 9:
      return "panic";
    case 10:
    case 11:
      return "upstream-down";
    case 12:
    case 13:
    case 14:
      return "session";
    case 15:
      return "bad-token";
    case 16:
    case 17:
      return "virtual";
    case 18:
      return "upstream-500";
    default:
      return "normal";
  }
}

const expected: Record<Kind, number | "aborted" | "any"> = {
  normal: 200,
  answered: 200,
  panic: 500,
  "upstream-down": 502,
  "upstream-500": 500,
  session: 200,
  "bad-token": 403,
  virtual: 200,
  timeout: 504,
  // Aborted by the client: whatever happens, as long as the request ends.
  "abort-in-plugin": "any",
  "abort-upstream": "any",
};

async function send(u: string, kind: Kind, i: number): Promise<number | "aborted" | string> {
  const [url, init, abortAfterMs]: [string, RequestInit, number?] = ({
    normal: [`${u}/lcbusy/n/${i}`, {}],
    answered: [`${u}/lcbusy/a/${i}`, { headers: { "x-answer": "1" } }],
    panic: [`${u}/lcbusy/p/${i}`, { headers: { "x-panic": "1" } }],
    "upstream-down": [`${u}/lcdown/${i}`, {}],
    "upstream-500": [`${u}/lcbusy/e/${i}?status=500`, {}],
    session: [`${u}/lcsession/${i}`, { headers: { authorization: "lifecycle-token" } }],
    "bad-token": [`${u}/lcsession/${i}`, { headers: { authorization: "nope" } }],
    virtual: [`${u}/lcctx/virtual`, {}],
    timeout: [`${u}/lcbusy/t/${i}`, { headers: { "x-sleep-ms": String(LEAK_SLEEP_MS) } }],
    "abort-in-plugin": [`${u}/lcbusy/s/${i}`, { headers: { "x-sleep-ms": "300" } }, 50],
    "abort-upstream": [`${u}/lcbusy/slow?ms=300&i=${i}`, {}, 100],
  } as Record<Kind, [string, RequestInit, number?]>)[kind];
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), abortAfterMs ?? 15_000);
  try {
    const res = await fetch(url, { ...init, signal: ctrl.signal });
    await res.arrayBuffer();
    return res.status;
  } catch (err) {
    return abortAfterMs !== undefined && ctrl.signal.aborted ? "aborted" : `error: ${err}`;
  } finally {
    clearTimeout(timer);
  }
}

test("request-lifecycle: after 2000 requests that end every way (answered, failed, timed out, aborted), no Go request handle is left open", async () => {
  const g = await startGatewayProcess(
    { plugin_gateway: { plugin_timeout_ms: LEAK_PLUGIN_TIMEOUT_MS } },
    leakApis(up.url),
  );
  let open: number | undefined;
  const total = 2000;
  const concurrency = 20;
  const outcomes: Array<{ kind: Kind; got: number | string }> = new Array(total);
  let code: number | null | "hung";
  try {
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const kind = kindOf(i);
        outcomes[i] = { kind, got: await send(g.url, kind, i) };
      }
    }));
    // Timed-out calls keep running in Go until their plugin returns
    // (LEAK_SLEEP_MS after they started): give them that, and some.
    open = await pollGauge(g.url, "tykgw_shim_requests_open", (v) => v === undefined || v === 0, LEAK_SLEEP_MS + 5_000);
  } finally {
    code = await stopWithin(g, 15_000);
  }
  const wrong: Record<string, number> = {};
  for (const { kind, got } of outcomes) {
    const want = expected[kind];
    if (want === "any" ? typeof got === "string" && got !== "aborted" : got !== want) {
      const k = `${kind}: expected ${want}, got ${got}`;
      wrong[k] = (wrong[k] ?? 0) + 1;
    }
  }
  assert.deepEqual(
    { unexpectedOutcomes: wrong, tykgw_shim_requests_open: open ?? "missing from /tyk/metrics" },
    { unexpectedOutcomes: {}, tykgw_shim_requests_open: 0 },
    "every request ends as Tyk would end it, and no Go request handle is left open",
  );
  assert.equal(code, 0, "gateway exits 0 on SIGTERM");
  // A client leaving is no fault of the gateway's: no error records for it.
  assert.deepEqual(g.logs.filter((l) => l.msg === "request failed").map((l) => l.err), []);
});

// ---------------------------------------------------------------------------
// 7. A plugin that blocks for good: the gateway keeps serving, the request
// gets 504 after plugin_timeout_ms, and the gateway still stops cleanly. Its
// own gateway process, since it ends with stopping it.

test("request-lifecycle: a plugin that blocks forever after many quick calls fails only its request (504), /hello keeps answering, SIGTERM exits 0", async () => {
  const timeoutMs = 1000;
  const g = await startGatewayProcess({ plugin_gateway: { plugin_timeout_ms: timeoutMs } }, [
    keylessApi("lcblock", "/lcblock/", up.url, goplugin({ pre: [hook("BlockWhenAsked")] })),
  ]);
  let code: number | null | "hung";
  try {
    for (let i = 0; i < 10; i++) {
      const echo = await echoOf(await fetch(`${g.url}/lcblock/quick/${i}`, { signal: withTimeout() }));
      assert.equal(echo.headers["x-quick"], "1");
    }

    const t0 = performance.now();
    const blocked = fetch(`${g.url}/lcblock/blocked`, {
      headers: { "x-block": "1" },
      signal: withTimeout(timeoutMs + 10_000),
    })
      .then(async (r) => ({ status: r.status as number | string, body: await r.text(), ms: performance.now() - t0 }))
      .catch((err) => ({ status: `error: ${err}`, body: "", ms: performance.now() - t0 }));
    let blockedDone: number | undefined;
    blocked.then((b) => (blockedDone = b.ms));

    const hellos: Array<Promise<{ status: number | string; ms: number }>> = [];
    // Five /hello requests, 50 ms apart, from 100 ms on: all well before the
    // plugin call can time out.
    await sleep(50);
    for (let i = 0; i < 5; i++) {
      await sleep(50);
      hellos.push(
        fetch(`${g.url}/hello`, { signal: withTimeout(3000) })
          .then(async (r) => (await r.text(), { status: r.status as number | string, ms: performance.now() - t0 }))
          .catch((err) => ({ status: `error: ${err}`, ms: performance.now() - t0 })),
      );
    }
    const answered = await Promise.all(hellos);
    assert.deepEqual(
      answered.map((h) => h.status),
      [200, 200, 200, 200, 200],
      "/hello answers while the plugin call blocks",
    );
    assert.ok(
      answered.every((h) => blockedDone === undefined || h.ms < blockedDone),
      `/hello answered while the blocked request was pending (hellos at ${
        answered.map((h) => Math.round(h.ms))
      } ms, blocked request ended at ${blockedDone} ms)`,
    );

    const b = await blocked;
    assert.equal(b.status, 504, `the blocked request fails with 504: ${b.body}`);
    assert.ok(
      b.ms >= timeoutMs * 0.9 && b.ms < timeoutMs + 5_000,
      `504 after about plugin_timeout_ms (${timeoutMs} ms), got it after ${Math.round(b.ms)} ms`,
    );

    const again = await fetch(`${g.url}/lcblock/again`, { signal: withTimeout(5000) });
    assert.equal((await echoOf(again)).headers["x-quick"], "1", "the API still serves");
  } finally {
    code = await stopWithin(g, 10_000);
  }
  assert.equal(code, 0, "SIGTERM stops the gateway, exit code 0, within 10 s");
});

// A client that leaves during a plugin run ends its request at once: the
// run is abandoned, and the request's context, which a plugin making an
// outbound call waits on, is cancelled (Tyk cancels it when the connection
// closes), so the Go twin goes long before plugin_timeout_ms.
test("request-lifecycle: a client leaving during a plugin run cancels r.Context() and frees the request's Go twin at once", async () => {
  const g = await startGatewayProcess({ plugin_gateway: { plugin_timeout_ms: 30_000 } }, [
    keylessApi("lcwait", "/lcwait/", up.url, goplugin({ pre: [hook("WaitForContext")] })),
  ]);
  let code: number | null | "hung";
  let open: number | undefined;
  try {
    const left = await Promise.all(Array.from({ length: 5 }, async (_, i) => {
      const ctrl = new AbortController();
      setTimeout(() => ctrl.abort(), 200);
      return fetch(`${g.url}/lcwait/${i}`, { signal: ctrl.signal }).then(() => "answered", () => "left");
    }));
    assert.deepEqual(left, ["left", "left", "left", "left", "left"]);
    // Within a few seconds, not the 20 s the plugin would otherwise wait nor the 30 s timeout.
    open = await pollGauge(g.url, "tykgw_shim_requests_open", (v) => v === 0, 5_000);
  } finally {
    code = await stopWithin(g, 15_000);
  }
  assert.equal(open, 0, "no Go twin is left once the clients have gone");
  assert.equal(code, 0);
});
