// One path, one decision: routing, authentication and the upstream URL all
// follow from the request's canonical path, as in Tyk (its router matches
// the percent-decoded path and answers 301 with the cleaned path first).
// Requests are sent byte for byte over TCP: fetch would clean them itself.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type GatewayProcess, keylessApi, startGatewayProcess } from "../helpers/gateway.ts";
import { rawGet, rawHttp, type RawResponse } from "../helpers/raw-http.ts";
import { type Echo, startUpstream, type Upstream } from "../helpers/upstream.ts";

let up: Upstream;
let gw: GatewayProcess;
let strict: GatewayProcess;

/** Keyless on "/" and "/pub/", keyed on "/admin/": all three proxy to the same upstream, path as received. */
function apis(target: string): Array<Record<string, unknown>> {
  const unstripped = (listenPath: string) => ({ proxy: { listen_path: listenPath, target_url: target, strip_listen_path: false } });
  return [
    keylessApi("root", "/", target, unstripped("/")),
    keylessApi("pub", "/pub/", target, unstripped("/pub/")),
    { ...keylessApi("admin", "/admin/", target, unstripped("/admin/")), use_keyless: false, use_standard_auth: true },
    // strip_listen_path under a target path prefix: nothing may leave /jail/.
    keylessApi("jailed", "/jailed/", `${target}/jail/`, { proxy: { listen_path: "/jailed/", target_url: `${target}/jail/`, strip_listen_path: true } }),
  ];
}

before(async () => {
  up = await startUpstream();
  gw = await startGatewayProcess({}, apis(up.url));
  strict = await startGatewayProcess({ http_server_options: { skip_url_cleaning: true } }, apis(up.url));
});

after(async () => {
  await gw?.stop();
  await strict?.stop();
  await up?.close();
});

/**
 * The path the most lenient upstream would serve for what it received: one
 * that decodes the path, takes "\\" for "/" and resolves dot segments.
 */
function servedPath(res: RawResponse): string | undefined {
  if (res.status !== 200 || res.headers["x-upstream"] !== "yes") return undefined;
  const echo: Echo = JSON.parse(res.body.toString("utf8"));
  const decoded = decodeURIComponent(echo.url.split("?")[0]).replaceAll("\\", "/");
  return decodeURIComponent(new URL(decoded.replaceAll("%", "%25"), "http://upstream").pathname);
}

/** Dot segments in every spelling, with and without encoded slashes and backslashes. */
const TRAVERSALS = [
  "/pub/../admin/secret",
  "/pub/%2e%2e/admin/secret",
  "/pub/%2E%2E/admin/secret",
  "/pub/.%2e/admin/secret",
  "/pub/%2e./admin/secret",
  "/pub/..%2fadmin/secret",
  "/pub/..%2Fadmin%2Fsecret",
  "/pub/%2e%2e%2fadmin%2fsecret",
  "/pub/x/../../admin/secret",
  "/pub/./../admin/secret",
  "/pub/..\\admin\\secret",
  "/pub/%2e%2e%5cadmin%5csecret",
  "/jailed/../admin/secret",
  "/jailed/%2e%2e/%2e%2e/admin/secret",
  "/jailed/..%2f..%2fadmin",
];

test("routing: dot segments in any spelling never reach a keyed API's upstream path nor leave the target prefix", async () => {
  for (const gateway of [gw, strict]) {
    for (const target of TRAVERSALS) {
      const res = await rawGet(gateway.port, target);
      const served = servedPath(res);
      if (served !== undefined) {
        assert.ok(!served.startsWith("/admin"), `${target}: an unauthenticated request reached ${served}`);
        if (target.startsWith("/jailed/")) assert.ok(served.startsWith("/jail/"), `${target}: left the target prefix: ${served}`);
      }
    }
  }
});

/**
 * Bun resolves dot segments itself (literal or %2e, "\\" too) before the
 * gateway sees the request: there such a path is served as its clean form,
 * which is as much one decision as Tyk's 301. Either is accepted; nothing else.
 */
async function assertCleanedOrRedirected(gateway: GatewayProcess, target: string, clean: string): Promise<void> {
  const res = await rawGet(gateway.port, target);
  if (res.status === 301) {
    assert.equal(res.headers.location, clean, target);
    return;
  }
  const direct = await rawGet(gateway.port, clean);
  assert.equal(res.status, direct.status, `${target}: ${res.status} ${res.body}, but ${clean} answers ${direct.status}`);
  assert.equal(servedPath(res), servedPath(direct), `${target} is served as ${clean}`);
}

test("routing: a path that is not clean is answered 301 with the cleaned path, as Tyk's router does", async () => {
  const cases: Array<[string, string]> = [
    ["/pub/../admin/secret", "/admin/secret"],
    ["/pub/%2e%2e/admin/secret?x=1", "/admin/secret?x=1"],
    ["/pub/./a/../b", "/pub/b"],
    ["/jailed/../../x", "/x"],
  ];
  for (const [target, clean] of cases) await assertCleanedOrRedirected(gw, target, clean);
  // What no runtime resolves by itself: encoded slashes around dot segments, duplicate slashes.
  for (const [target, location] of [["/pub/..%2Fadmin%2Fsecret", "/admin/secret"], ["//admin/secret", "/admin/secret"], ["/pub//a/b/", "/pub/a/b/"]]) {
    const res = await rawGet(gw.port, target);
    assert.equal(res.status, 301, `${target}: ${res.status} ${res.body}`);
    assert.equal(res.headers.location, location, target);
  }
});

test("routing: with skip_url_cleaning duplicate slashes pass but dot segments are refused (400)", async () => {
  const echo = await rawGet(strict.port, "/pub/get/http://example.com");
  assert.equal(servedPath(echo), "/pub/get/http://example.com", "Tyk's use for the option: URLs in paths");
  assert.equal((await rawGet(strict.port, "/pub/..%2fadmin")).status, 400);
  for (const [target, clean] of [["/pub/../admin/secret", "/admin/secret"], ["/pub/%2e%2e/admin", "/admin"], ["/pub/a/./b", "/pub/a/b"]]) {
    const res = await rawGet(strict.port, target);
    // Refused, or (Bun) resolved by the runtime before routing and so served as the clean path.
    if (res.status === 400) continue;
    const direct = await rawGet(strict.port, clean);
    assert.equal(res.status, direct.status, target);
    assert.equal(servedPath(res), servedPath(direct), target);
  }
});

test("routing: an encoded listen path routes as its decoded form, so a keyed API is not bypassed", async () => {
  for (const target of ["/%61dmin/secret", "/%61%64%6d%69%6e/secret", "/adm%69n/secret", "/%61dmin"]) {
    const res = await rawGet(gw.port, target);
    assert.equal(res.status, 401, `${target} must reach the keyed API and be refused, got ${res.status}: ${res.body}`);
  }
  // Encoded once more, it is a different path ("%61" literally): the keyless root gets it, still encoded.
  const res = await rawGet(gw.port, "/%2561dmin/secret");
  assert.equal(servedPath(res), "/%61dmin/secret");
  assert.equal(servedPath(await rawGet(gw.port, "/pub/secret")), "/pub/secret", "the keyless API itself works");
});

test("routing: malformed escapes are refused with 400 before routing", async () => {
  for (const target of ["/pub/%zz", "/pub/%", "/pub/%2", "/pub/a%g0"]) {
    const res = await rawGet(gw.port, target);
    assert.equal(res.status, 400, `${target}: ${res.status}`);
  }
});

test("routing: the listen path is stripped from an encoded request path before it goes upstream", async () => {
  const res = await rawGet(gw.port, "/%6Aailed/get");
  assert.equal(servedPath(res), "/jail/get");
  const kept = await rawGet(gw.port, "/jailed/a%20b/c%2Fd");
  assert.equal((JSON.parse(kept.body.toString()) as Echo).url, "/jail/a%20b/c%2Fd", "an encoding the client chose goes on as it was");
});

test("routing: the path comes from the request line, never from the Host header (a malformed Host is refused with 400, as Go's server does)", async () => {
  const withHost = (target: string, host: string) =>
    rawHttp(gw.port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  for (const [target, host] of [
    ["/admin/pub/secret", "a@b"],
    ["/admin/x?next=http://h/pub/y", "a b"],
    ["/pub/x", "a/tyk/reload?"],
    ["/admin/secret", "a/pub/q?"],
    ["/admin/x", "a#b"],
    ["/admin/x", "a\\b"],
  ]) {
    const res = await withHost(target, host);
    assert.equal(res.status, 400, `Host ${JSON.stringify(host)} on ${target}: ${res.status} ${res.body}`);
    assert.match(res.body.toString(), /malformed Host header/);
  }
  for (const host of ["example.com:8080", "[::1]:80", "127.0.0.1"]) {
    assert.equal(servedPath(await withHost("/pub/ok", host)), "/pub/ok", `Host ${host} is fine`);
  }
});

test("routing: dot segments other upstreams resolve (\"..;\" for Tomcat, around a decoded control character) are refused", async () => {
  for (const gateway of [gw, strict]) {
    for (const target of ["/pub/..;/admin/secret", "/pub/.;/admin", "/pub/%2e%2e;x/admin/secret", "/pub/..;jsessionid=1/admin", "/pub/.%00./admin", "/pub/a%0d%0ab"]) {
      const res = await rawGet(gateway.port, target);
      assert.equal(res.status, 400, `${target}: ${res.status} ${res.body}`);
    }
    assert.equal(servedPath(await rawGet(gateway.port, "/pub/a;b=1/c")), "/pub/a;b=1/c", "path parameters elsewhere pass");
  }
});
