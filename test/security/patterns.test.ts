// Patterns run in linear time (issue 9, item 7). Tyk reads endpoint paths as
// Go regular expressions (RE2: no backtracking, linear in the input); read as
// JavaScript regexes, `/(a+)+$` against a 31-character path stalled the event
// loop for seconds, and Go syntax meant something else or nothing. Expected
// answers below are Go's regexp (go1.26) on the pattern as Tyk rewrites it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { compileTykPathPattern } from "../../src/config/api-definition.ts";
import { type GatewayProcess, goVirtualEndpoints, keylessApi, startGatewayProcess } from "../helpers/gateway.ts";
import { testShim } from "../helpers/shim.ts";
import { stopWithin } from "../helpers/stop.ts";
import { type Echo, startUpstream, type Upstream } from "../helpers/upstream.ts";

test("patterns: Go's syntax and meaning, as Tyk rewrites the path (placeholders, wildcards)", () => {
  const cases: Array<[pattern: string, path: string, goMatches: boolean]> = [
    // Go syntax JavaScript lacks or reads otherwise
    ["/items/[[:digit:]]+\\z", "/items/42", true],
    ["/items/[[:digit:]]+\\z", "/items/42/x", false],
    ["^/q/\\Q.*\\E$", "/q/.*", true],
    ["^/q/\\Q.*\\E$", "/q/abc", false],
    ["^/u/(?P<user>[a-z]+)$", "/u/ann", true],
    ["(?i)^/ORDERS$", "/orders", true],
    ["(?i)^/k$", "/\u212a", true], // Go folds the Kelvin sign to k
    ["^/a.b$", "/a\rb", true], // Go's . excludes only \n
    ["^/a\\sb$", "/a\u00a0b", false], // Go's \s is ASCII
    ["^/.$", "/\u{1F600}", true], // one code point, not one UTF-16 unit
    // Tyk's rewriting (httputil.PreparePathRegexp)
    ["/orders/{id}", "/orders/42", true],
    ["^/orders/{id}$", "/orders/42/items", false],
    ["^/a{2}/b}$", "/aaa/b}", false], // unbalanced braces: {2} stays a repeat
    ["^/a{2}/b}$", "/aa/b}", true],
    ["^/users/*/orders$", "/users/7/orders", true], // /*/ is one segment
    ["^/files/*$", "/files/a/b", true], // /* is any rest
  ];
  for (const [pattern, path, expected] of cases) {
    assert.equal(
      compileTykPathPattern(pattern).test(path),
      expected,
      `${JSON.stringify(pattern)} on ${JSON.stringify(path)}`,
    );
  }
});

test("patterns: what Go's regexp refuses is refused, in Go's words", () => {
  const refused: Array<[string, RegExp]> = [
    ["/a(?=b)", /invalid or unsupported Perl syntax: `\(\?=`/],
    ["/a(?<!b)", /invalid named capture/],
    ["(a)\\1", /invalid escape sequence: `\\1`/],
    ["/a**", /invalid nested repetition operator/],
    ["/a{1001}/b{", /invalid repeat count: `\{1001\}`/], // braces unbalanced: a repeat, not a placeholder
    ["/a\\Z", /invalid escape sequence: `\\Z`/],
    ["(?x)/a", /invalid or unsupported Perl syntax/],
    ["/orders/(", /missing closing \)/],
  ];
  for (const [pattern, reason] of refused) {
    assert.throws(() => compileTykPathPattern(pattern), reason, pattern);
  }
});

const { plugins } = await testShim();
let up: Upstream;
let gw: GatewayProcess;

before(async () => {
  up = await startUpstream();
  const endpoint = (path: string) => ({
    path,
    method: "GET",
    plugin_path: plugins.tykcompat,
    func_name: "PerPathResp",
  });
  gw = await startGatewayProcess({}, [
    keylessApi(
      "redos",
      "/redos/",
      up.url,
      goVirtualEndpoints([
        endpoint("/(a+)+$"),
        endpoint("/(x|xx)+y$"),
        endpoint("^/items/[[:digit:]]+\\z"),
        endpoint("^/admin$"),
        endpoint("^/café$"),
      ]),
    ),
    keylessApi("lookahead", "/lookahead/", up.url, goVirtualEndpoints([endpoint("/users/(?=admin)")])),
    keylessApi("good", "/good/", up.url),
  ]);
});

after(async () => {
  await stopWithin(gw);
  await up.close();
});

async function get(path: string): Promise<[number, string]> {
  const res = await fetch(`${gw.url}${path}`, { signal: AbortSignal.timeout(10_000) });
  return [res.status, await res.text()];
}

test("patterns: a definition with a pattern Go refuses is skipped with its file and field named; the others serve", async () => {
  const rec = await gw.waitForLog((l) => String(l.file ?? "").endsWith("lookahead.json"));
  assert.match(
    String(rec.msg),
    /lookahead\.json: version_data\.versions\.Default\.extended_paths\.go_plugin\[0\]\.path: not a valid Go regular expression: invalid or unsupported Perl syntax: `\(\?=`/,
  );
  assert.equal((await get("/lookahead/users/admin"))[0], 404);
  assert.equal((await get("/good/y"))[0], 200);
});

test("patterns: paths built to make a backtracking engine explode are answered, and the gateway stays live", async () => {
  // Backtracking needs about 2^n steps for these (n = 64 and 2000); an RE2 engine is linear.
  const attacks = [`/redos/${"a".repeat(64)}!`, `/redos/${"x".repeat(2000)}z`];
  const answers = await Promise.all([...attacks.map(get), get("/hello"), get("/good/x")]);
  for (const [status, body] of answers.slice(0, 2)) {
    assert.equal(status, 200);
    assert.match((JSON.parse(body) as Echo).url, /^\/(a{64}!|x{2000}z)$/, "no endpoint matched: proxied upstream");
  }
  assert.equal(answers[2][0], 200, "/hello");
  assert.equal(answers[3][0], 200, "another API");
  assert.deepEqual(
    await get(`/redos/${"a".repeat(64)}`),
    [200, `{"current_time":"now"}`],
    "a matching path runs the endpoint",
  );
  assert.deepEqual(await get("/redos/items/42"), [200, `{"current_time":"now"}`], "Go syntax ([[:digit:]], \\z)");
  assert.equal(JSON.parse((await get("/redos/items/4x"))[1]).url, "/items/4x");
});

test("patterns: endpoints match the decoded path, as Tyk's r.URL.Path: an encoded character neither hides nor adds a match", async () => {
  const answered: [number, string] = [200, `{"current_time":"now"}`];
  assert.deepEqual(await get("/redos/admin"), answered);
  assert.deepEqual(await get("/redos/%61dmin"), answered, "/%61dmin is /admin");
  assert.deepEqual(await get("/redos/caf%C3%A9"), answered, "UTF-8, percent-encoded");
  assert.equal(JSON.parse((await get("/redos/%2561dmin"))[1]).url, "/%2561dmin", "/%2561dmin is /%61dmin, not /admin");
});
