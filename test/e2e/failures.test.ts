// What goes wrong stays contained: a plugin that cannot load, a plugin that
// panics, a broken definition, a bad tyk.conf.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type GatewayProcess, keylessApi, runGatewayToExit, startGatewayProcess, writeConfig } from "../helpers/gateway.ts";
import { testShim } from "../helpers/shim.ts";
import { type Echo, startUpstream, type Upstream } from "../helpers/upstream.ts";
import { GATEWAY_VERSION } from "../../src/version.ts";

const { plugins } = await testShim();
let up: Upstream;
let gw: GatewayProcess;
const arch = process.arch === "x64" ? "amd64" : process.arch;

// Versioned names: the definition says <dir>/versioned.so; the directory has
// versioned_v<version>_<os>_<arch>.so (the session plugin, which has the
// symbol) and versioned.so (sendtime, which has not). Copies of plugins no
// other API of this gateway loads: Go refuses a second copy of one build.
const versionedDir = mkdtempSync(join(tmpdir(), "versioned-"));
copyFileSync(plugins.session, join(versionedDir, `versioned_v${GATEWAY_VERSION}_linux_${arch}.so`));
copyFileSync(plugins.sendtime, join(versionedDir, "versioned.so"));
const plainDir = mkdtempSync(join(tmpdir(), "plain-"));
copyFileSync(plugins.hitcounter, join(plainDir, `noV_${GATEWAY_VERSION}_linux_${arch}.so`));

before(async () => {
  up = await startUpstream();
  gw = await startGatewayProcess({}, [
    keylessApi("missing", "/missing/", up.url, {
      custom_middleware: { driver: "goplugin", post: [{ name: "AddFooBarHeader", path: "/nonexistent/plugin.so" }] },
      version_data: { not_versioned: true, versions: { Default: { name: "Default", use_extended_paths: true, extended_paths: { go_plugin: [{ path: "/virtual", method: "GET", plugin_path: plugins.tykcompat, func_name: "PerPathResp" }] } } } },
    }),
    keylessApi("badsymbol", "/badsymbol/", up.url, { custom_middleware: { driver: "goplugin", pre: [{ name: "Nope", path: plugins.addheader }] } }),
    keylessApi("panics", "/panics/", up.url, { custom_middleware: { driver: "goplugin", pre: [{ name: "Boom", path: plugins.panics }] } }),
    keylessApi("good", "/good/", up.url),
    keylessApi("versioned", "/versioned/", up.url, { custom_middleware: { driver: "goplugin", post: [{ name: "ShowSession", path: join(versionedDir, "versioned.so") }] } }),
    keylessApi("nov", "/nov/", up.url, { custom_middleware: { driver: "goplugin", post: [{ name: "MyProcessRequest", path: join(plainDir, "noV.so") }] } }),
    keylessApi("python", "/python/", up.url, { custom_middleware: { driver: "python", pre: [{ name: "x", path: "x.py" }] } }),
  ], {
    "broken.json": `{"api_id": "broken", "proxy": {"listen_path": "/broken/", "target_url": 42}}`,
    "notjson.json": "{ this is not json",
  });
});

after(async () => {
  await gw.stop();
  await up.close();
});

test("failures: a missing plugin file is logged at load and answers 500; the rest of its API and others serve", async () => {
  const rec = await gw.waitForLog((l) => l.api_id === "missing" && String(l.msg).startsWith("plugin not loaded"));
  assert.match(String(rec.msg), /does not exist/);
  assert.equal(rec.level, 50);
  const res = await fetch(`${gw.url}/missing/get`);
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), { error: "Internal Server Error" });
  const virtual = await fetch(`${gw.url}/missing/virtual`);
  assert.equal(virtual.status, 200, "a virtual endpoint before the broken post hook still answers");
  assert.equal(await virtual.text(), `{"current_time":"now"}`);
  const good = await fetch(`${gw.url}/good/x`);
  assert.equal(good.status, 200);
  await good.text();
});

test("failures: a missing symbol is logged naming it, and answers 500", async () => {
  const rec = await gw.waitForLog((l) => l.api_id === "badsymbol" && String(l.msg).startsWith("plugin not loaded"));
  assert.match(String(rec.msg), /symbol Nope not found/);
  assert.equal((await fetch(`${gw.url}/badsymbol/x`)).status, 500);
});

test("failures: a panicking plugin fails only its own request, logged with stack", async () => {
  const results = await Promise.all([
    fetch(`${gw.url}/panics/x`).then(async (r) => [r.status, await r.text()]),
    fetch(`${gw.url}/good/y`).then(async (r) => [r.status, (await r.json() as Echo).url]),
  ]);
  assert.deepEqual(results[0], [500, `{\n    "error": "Internal Server Error"\n}`]);
  assert.deepEqual(results[1], [200, "/y"]);
  const rec = await gw.waitForLog((l) => String(l.msg).startsWith("plugin panicked"));
  assert.equal(rec.api_id, "panics");
  assert.match(String(rec.stack), /Boom/);
  assert.equal((await fetch(`${gw.url}/panics/again`)).status, 500, "still serving");
});

test("failures: broken definitions are logged with file and field and skipped", async () => {
  const broken = await gw.waitForLog((l) => String(l.file ?? "").endsWith("broken.json"));
  assert.match(String(broken.msg), /broken\.json: proxy\.target_url/);
  const notJson = await gw.waitForLog((l) => String(l.file ?? "").endsWith("notjson.json"));
  assert.match(String(notJson.msg), /notjson\.json/);
  const res = await fetch(`${gw.url}/broken/x`);
  assert.equal(res.status, 404);
  await res.text();
});

test("failures: versioned plugin names: <name>_v<version>_<os>_<arch>.so wins over the exact path", async () => {
  const echo: Echo = await (await fetch(`${gw.url}/versioned/get`)).json();
  assert.equal(echo.headers["x-session"], "none", "the versioned build ran, not versioned.so");
  const nov = await (await fetch(`${gw.url}/nov/get`)).json();
  assert.deepEqual([nov.endpoint, nov.hit_counter], ["GET /nov/get", 1], "<name>_<version>_<os>_<arch>.so without the v");
});

test("failures: another plugin driver is refused at load and its hooks answer 500", async () => {
  const rec = await gw.waitForLog((l) => l.api_id === "python" && String(l.msg).startsWith("plugin not loaded"));
  assert.match(String(rec.msg), /only "goplugin"/);
  assert.equal((await fetch(`${gw.url}/python/x`)).status, 500);
});

test("failures: a bad tyk.conf stops start-up with the file and field named", async () => {
  const { dir, confPath } = writeConfig({ listen_port: "8080" }, []);
  const out = await runGatewayToExit(confPath, dir);
  assert.equal(out.code, 1);
  assert.match(out.stderr, new RegExp(`${confPath.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: listen_port`));
});

test("failures: a tyk.conf that is not JSON is named", async () => {
  const dir = mkdtempSync(join(tmpdir(), "badconf-"));
  mkdirSync(join(dir, "apps"));
  const confPath = join(dir, "tyk.conf");
  writeFileSync(confPath, "{ nope");
  const out = await runGatewayToExit(confPath, dir);
  assert.equal(out.code, 1);
  assert.match(out.stderr, /tyk\.conf/);
});
