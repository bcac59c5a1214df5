// Hot reload: definitions and plugin paths change many times while requests
// keep flowing, and none fails; a plugin rebuilt in place (same path) runs
// its new code after a reload.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { buildPlugin } from "../../src/plugin-builder/index.ts";
import { SHIM_SOURCE_DIR } from "../../src/shim/build.ts";
import { GATEWAY_VERSION } from "../../src/version.ts";
import { many } from "../helpers/fresh.ts";
import { type GatewayProcess, keylessApi, SECRET, startGatewayProcess } from "../helpers/gateway.ts";
import { testShim } from "../helpers/shim.ts";
import { type Echo, startUpstream, type Upstream } from "../helpers/upstream.ts";

const { shim, plugins } = await testShim();
let up: Upstream;
let gw: GatewayProcess;
const admin = { "x-tyk-authorization": SECRET };

const withPlugin = (name: string, path: string, extra: Record<string, unknown> = {}) =>
  keylessApi("swapped", "/swapped/", up.url, { custom_middleware: { driver: "goplugin", pre: [{ name, path }] }, ...extra });

before(async () => {
  up = await startUpstream();
  gw = await startGatewayProcess({}, [withPlugin("AddFooBarHeader", plugins.addheader), keylessApi("steady", "/steady/", up.url)]);
});

after(async () => {
  await gw.stop();
  await up.close();
});

test("reload: 30 reloads changing definitions and plugin paths under load fail no request", async () => {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const worker = async (path: string) => {
    while (running) {
      try {
        const res = await fetch(`${gw.url}${path}`);
        await res.text();
        if (res.status === 200) ok++;
        else failures.push(`${path}: ${res.status}`);
      } catch (err) {
        failures.push(`${path}: ${(err as Error).message}`);
      }
    }
  };
  const workers = [...Array(6)].map((_, i) => worker(i % 2 ? "/swapped/x" : "/steady/y"));
  for (let i = 0; i < 30; i++) {
    const def = i % 2 === 0
      ? withPlugin("ShowSession", plugins.session, { config_data: { round: i } })
      : withPlugin("AddFooBarHeader", plugins.addheader, { config_data: { round: i } });
    writeFileSync(join(gw.appPath, "swapped.json"), JSON.stringify(def));
    const res = await fetch(`${gw.url}/tyk/reload?block=true`, { headers: admin });
    assert.equal(res.status, 200);
    await res.text();
    await new Promise((r) => setTimeout(r, 30));
  }
  running = false;
  await Promise.all(workers);
  assert.deepEqual(failures, []);
  assert.ok(ok > 100, `requests kept flowing (${ok})`);
  // The last definition (i = 29) runs AddFooBarHeader.
  const echo: Echo = await (await fetch(`${gw.url}/swapped/z`)).json();
  assert.equal(echo.headers.foo, "Bar");
  assert.equal(echo.headers["x-session"], undefined);
});

test("reload: a plugin rebuilt in place at the same path runs its new code after a reload", async () => {
  const info = shim.info();
  const src = mkdtempSync(join(tmpdir(), "inplace-"));
  const so = join(src, "inplace.so");
  const build = async (version: string) => {
    writeFileSync(join(src, "main.go"), `package main

import "net/http"

func Tag(rw http.ResponseWriter, r *http.Request) { r.Header.Set("X-Build", "${version}") }

func main() {}
`);
    await buildPlugin({ pluginDir: src, output: so, shimDir: SHIM_SOURCE_DIR, shimGo: info.go, shimDeps: info.deps, gatewayVersion: GATEWAY_VERSION });
  };
  await build("one");
  writeFileSync(join(gw.appPath, "swapped.json"), JSON.stringify(withPlugin("Tag", so)));
  await (await fetch(`${gw.url}/tyk/reload`, { headers: admin })).text();
  assert.equal(((await (await fetch(`${gw.url}/swapped/a`)).json()) as Echo).headers["x-build"], "one");
  await build("two");
  assert.equal(((await (await fetch(`${gw.url}/swapped/b`)).json()) as Echo).headers["x-build"], "one", "no reload yet");
  await (await fetch(`${gw.url}/tyk/reload`, { headers: admin })).text();
  assert.equal(((await (await fetch(`${gw.url}/swapped/c`)).json()) as Echo).headers["x-build"], "two");
});

test("reload: SIGHUP reloads, and with watch_app_path a new definition file is picked up by itself", async () => {
  const g = await startGatewayProcess({ plugin_gateway: { watch_app_path: true } }, []);
  try {
    assert.equal((await fetch(`${g.url}/watched/x`)).status, 404);
    writeFileSync(join(g.appPath, "watched.json"), JSON.stringify(keylessApi("watched", "/watched/", up.url)));
    await g.waitForLog((l) => l.msg === "app_path changed: APIs reloaded", 10_000);
    assert.equal(((await (await fetch(`${g.url}/watched/x`)).json()) as Echo).url, "/x");
    const listening = g.logs.find((l) => String(l.msg).startsWith("gateway listening"))!;
    writeFileSync(join(g.appPath, "watched.json"), JSON.stringify(keylessApi("watched", "/renamed/", up.url)));
    process.kill(Number(listening.pid), "SIGHUP");
    await g.waitForLog((l) => l.msg === "SIGHUP: reloading APIs");
    for (let i = 0; i < 50 && (await fetch(`${g.url}/renamed/x`).then((r) => (r.body?.cancel(), r.status))) !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await fetch(`${g.url}/renamed/x`)).status, 200);
  } finally {
    await g.stop();
  }
});

for (const workers of [1, 2]) {
  test(`reload: in --dev mode, editing a plugin's Go source rebuilds it and swaps it in (workers: ${workers})`, async () => {
    const info = shim.info();
    const src = mkdtempSync(join(tmpdir(), "devplugin-"));
    const source = (v: string) => `package main

import "net/http"

func Tag(rw http.ResponseWriter, r *http.Request) { r.Header.Set("X-Dev", "${v}") }

func main() {}
`;
    writeFileSync(join(src, "main.go"), source("before"));
    const so = join(src, "devplugin.so");
    await buildPlugin({ pluginDir: src, output: so, shimDir: SHIM_SOURCE_DIR, shimGo: info.go, shimDeps: info.deps, gatewayVersion: GATEWAY_VERSION });
    // procexit's Die names the worker that answered.
    const pre = [{ name: "Tag", path: so }, { name: "Die", path: plugins.procexit }];
    const g = await startGatewayProcess({ plugin_gateway: { workers } }, [keylessApi("dev", "/dev/", up.url, { custom_middleware: { driver: "goplugin", pre } })], {}, ["--dev"]);
    try {
      const tags = async () => {
        const answers = await many(g.port, 20, 4, () => "/dev/x");
        assert.equal(new Set(answers.map((a) => a.pid)).size, workers, "every worker answered");
        return new Set(answers.map((a) => (JSON.parse(a.body) as Echo).headers["x-dev"]));
      };
      assert.deepEqual(await tags(), new Set(["before"]));
      await g.waitForLog((l) => l.msg === "watching plugin sources");
      writeFileSync(join(src, "main.go"), source("after"));
      const rec = await g.waitForLog((l) => String(l.msg).startsWith("plugin source changed"), 60_000);
      assert.equal(rec.msg, "plugin source changed: rebuilt and hot-swapped");
      assert.equal(g.logs.filter((l) => String(l.msg).startsWith("plugin source changed")).length, 1, "built once for all workers");
      assert.deepEqual(await tags(), new Set(["after"]));
    } finally {
      await g.stop();
    }
  });
}
