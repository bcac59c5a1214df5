// The upstream URL as Tyk's SanitizeProxyPaths and director form it.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { RequestState } from "../../src/gateway/state.ts";
import { upstreamUrl } from "../../src/middleware/proxy/index.ts";

const state = (path: string) => ({ path, query: "q=1", api: { listenPath: "/an/" } }) as unknown as RequestState;
const target = new URL("http://127.0.0.1:9101/up/");

test("strip_listen_path removes the listen path only where the path starts with it, segment by segment", () => {
  assert.equal(upstreamUrl(target, state("/an/x"), true).href, "http://127.0.0.1:9101/up/x?q=1");
  assert.equal(upstreamUrl(target, state("/an"), true).href, "http://127.0.0.1:9101/up/?q=1");
  // A plugin rewrote the path to one that merely shares the prefix: Tyk leaves it whole.
  assert.equal(upstreamUrl(target, state("/another/x"), true).href, "http://127.0.0.1:9101/up/another/x?q=1");
  assert.equal(upstreamUrl(target, state("/an%20b/x"), true).href, "http://127.0.0.1:9101/up/an%20b/x?q=1");
  // A relative path set by a plugin joins the target with one slash.
  assert.equal(upstreamUrl(target, state("svc-v1/"), true).href, "http://127.0.0.1:9101/up/svc-v1/?q=1");
});
