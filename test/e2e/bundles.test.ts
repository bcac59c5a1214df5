// Plugin bundles end to end: made with `gateway bundle build`, served over
// HTTP, fetched, verified and run by the gateway; a bad bundle leaves only
// its own API unloaded.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { gatewayCommand, type GatewayProcess, keylessApi, startGatewayProcess } from "../helpers/gateway.ts";
import { testShim } from "../helpers/shim.ts";
import { type Echo, startUpstream, type Upstream } from "../helpers/upstream.ts";

const { plugins } = await testShim();
let up: Upstream;
let gw: GatewayProcess;
let files: Server;
let hits: Record<string, number> = {};
const served = mkdtempSync(join(tmpdir(), "bundles-served-"));
const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pub = join(served, "pub.pem");
const priv = join(served, "priv.pem");
writeFileSync(pub, keys.publicKey.export({ type: "spki", format: "pem" }));
writeFileSync(priv, keys.privateKey.export({ type: "pkcs8", format: "pem" }));

/** Builds <name>.zip with the CLI from a plugin .so and a post hook (or, `hook` "traffic_logs", an analytics plugin). */
function bundle(name: string, so: string, symbol: string, sign: boolean, hook: "post" | "traffic_logs" = "post"): string {
  const dir = mkdtempSync(join(tmpdir(), "bundle-src-"));
  copyFileSync(so, join(dir, "plugin.so"));
  const entry = { name: symbol, path: "plugin.so" };
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({
    file_list: ["plugin.so"],
    custom_middleware: { driver: "goplugin", ...(hook === "post" ? { post: [entry] } : { traffic_logs: entry }) },
  }));
  const [cmd, args] = gatewayCommand();
  const out = join(served, name);
  const res = spawnSync(cmd, [...args, "bundle", "build", "-m", join(dir, "manifest.json"), "-o", out, ...(sign ? ["-k", priv] : ["-y"])], { encoding: "utf8" });
  assert.equal(res.status, 0, res.stderr);
  return out;
}

before(async () => {
  up = await startUpstream();
  bundle("good.zip", plugins.addheader, "AddFooBarHeader", true);
  bundle("unsigned.zip", plugins.session, "ShowSession", false);
  bundle("analytics.zip", plugins.analytics, "Logs", true, "traffic_logs");
  const tampered = bundle("tampered.zip", plugins.sendtime, "HeaderOnly", true);
  // Flip one byte inside the zip's stored .so: the checksum no longer matches.
  const bytes = readFileSync(tampered);
  bytes[bytes.length >> 1] ^= 0xff;
  writeFileSync(tampered, bytes);
  files = createServer((req, res) => {
    const name = (req.url ?? "/").slice(1);
    hits[name] = (hits[name] ?? 0) + 1;
    try {
      res.end(readFileSync(join(served, name)));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => files.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  gw = await startGatewayProcess({ enable_bundle_downloader: true, bundle_base_url: base, public_key_path: pub, middleware_path: "./middleware", enable_analytics: true }, [
    keylessApi("good", "/good/", up.url, { custom_middleware_bundle: "good.zip" }),
    keylessApi("unsigned", "/unsigned/", up.url, { custom_middleware_bundle: "unsigned.zip" }),
    keylessApi("tampered", "/tampered/", up.url, { custom_middleware_bundle: "tampered.zip" }),
    keylessApi("missing", "/missing/", up.url, { custom_middleware_bundle: "nope.zip" }),
    keylessApi("plain", "/plain/", up.url),
    keylessApi("analytics", "/analytics/", up.url, { custom_middleware_bundle: "analytics.zip" }),
  ]);
});

after(async () => {
  await gw.stop();
  await up.close();
  files.close();
});

test("bundles: a signed bundle is fetched, verified, unpacked and its plugin runs", async () => {
  const echo: Echo = await (await fetch(`${gw.url}/good/x`)).json();
  assert.equal(echo.headers.foo, "Bar");
  const rec = await gw.waitForLog((l) => l.msg === "bundle loaded" && l.api_id === "good");
  assert.match(String(rec.dir), /middleware\/bundles\/[0-9a-f]{32}$/);
});

test("bundles: a manifest's traffic_logs is the API's analytics plugin, as Tyk's AddToSpec makes it", async () => {
  const res = await fetch(`${gw.url}/analytics/x`);
  assert.equal(res.status, 200);
  await res.text();
  const file = join(gw.dir, "analytics.jsonl");
  let rec: { tags: string[] } | undefined;
  for (let i = 0; i < 50 && !rec; i++) {
    await new Promise((r) => setTimeout(r, 100));
    // Whole lines only: the sink may be writing the last one.
    if (existsSync(file)) rec = readFileSync(file, "utf8").split("\n").slice(0, -1).map((l) => JSON.parse(l)).find((r) => r.api_id === "analytics");
  }
  assert.deepEqual(rec?.tags, ["logged", "org-default", "api-analytics"]);
});

test("bundles: unsigned (with a public key set), tampered and missing bundles leave only their APIs unloaded", async () => {
  for (const [id, why] of [["unsigned", /not signed/i], ["tampered", /checksum|zip|corrupt|invalid/i], ["missing", /404|not found/i]] as const) {
    const rec = await gw.waitForLog((l) => l.api_id === id && String(l.msg).startsWith("API not loaded"));
    assert.match(String(rec.msg), why, `${id}: ${rec.msg}`);
    const res = await fetch(`${gw.url}/${id}/x`);
    assert.equal(res.status, 404);
    await res.text();
  }
  const plain = await fetch(`${gw.url}/plain/x`);
  assert.equal(plain.status, 200);
  await plain.text();
});

test("bundles: a reload reuses the unpacked bundle without downloading it again", async () => {
  const before = hits["good.zip"];
  const res = await fetch(`${gw.url}/tyk/reload`, { headers: { "x-tyk-authorization": "test-secret" } });
  await res.text();
  assert.equal(hits["good.zip"], before);
  const echo: Echo = await (await fetch(`${gw.url}/good/y`)).json();
  assert.equal(echo.headers.foo, "Bar");
});
