// The plugin builder: Tyk plugins build unchanged, version conflicts are
// explained before building, and `gateway plugin check` judges foreign builds.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { buildPlugin, defaultPluginFileName, PluginBuildError } from "../../src/plugin-builder/index.ts";
import { REPO_ROOT, SHIM_SOURCE_DIR, goEnv } from "../../src/shim/build.ts";
import { GATEWAY_VERSION } from "../../src/version.ts";
import { PLUGIN_SOURCES } from "../helpers/plugins.ts";
import { runtime, testShim } from "../helpers/shim.ts";

const { shim, plugins } = await testShim();
const info = shim.info();
const base = { shimDir: SHIM_SOURCE_DIR, shimGo: info.go, shimDeps: info.deps, gatewayVersion: GATEWAY_VERSION };

function gateway(...args: string[]) {
  const cmd = runtime.name === "bun" ? [join(REPO_ROOT, "node_modules/.bin/bun"), join(REPO_ROOT, "src/main.ts")]
    : [join(REPO_ROOT, "node_modules/.bin/deno"), "run", "-A", join(REPO_ROOT, "src/main.ts")];
  return spawnSync(cmd[0], [...cmd.slice(1), ...args], { encoding: "utf8" });
}

test("the default output name is <dir>_v<version>_<os>_<arch>.so", () => {
  assert.equal(defaultPluginFileName("/x/my_plugin", "1.2.3"), `my_plugin_v1.2.3_linux_${process.arch === "x64" ? "amd64" : process.arch}.so`);
});

test("a plugin with its own go.mod pinning Tyk is built against ours, its files untouched", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tyk_plugin-"));
  cpSync(join(PLUGIN_SOURCES, "authcheck"), dir, { recursive: true });
  const goMod = "module tyk_plugin\n\ngo 1.22\n\nrequire github.com/TykTechnologies/tyk v1.9.2-0.20230330071232-370295d796b5\n";
  writeFileSync(join(dir, "go.mod"), goMod);
  const { output, module } = await buildPlugin({ ...base, pluginDir: dir });
  assert.ok(output.endsWith(defaultPluginFileName(dir, GATEWAY_VERSION)));
  assert.ok(existsSync(output));
  assert.match(module, /^tykgw\.plugin\/tyk_plugin-\w+\/b\w+$/);
  assert.equal(readFileSync(join(dir, "go.mod"), "utf8"), goMod, "go.mod unchanged");
  assert.equal(shim.checkPlugin(output).ok, true);
  const loaded = shim.loadPlugin(output, "MyPluginAuthCheck");
  assert.equal(loaded.ok, true);
});

test("a module shared with the gateway at another version is named with the version to pin", async () => {
  const dir = mkdtempSync(join(tmpdir(), "conflict-"));
  writeFileSync(join(dir, "main.go"), `package main

import (
	"net/http"

	"github.com/sirupsen/logrus"
)

func H(rw http.ResponseWriter, r *http.Request) { logrus.Info("x") }

func main() {}
`);
  writeFileSync(join(dir, "go.mod"), "module conflict\n\ngo 1.22\n\nrequire github.com/sirupsen/logrus v1.8.1\n");
  const logrus = info.deps.find((d) => d.path === "github.com/sirupsen/logrus")!;
  // Asking for an older logrus is lifted to the gateway's; only a newer one conflicts.
  const older = await buildPlugin({ ...base, pluginDir: dir, output: join(dir, "ok.so") });
  assert.ok(existsSync(older.output));
  const fakeDeps = info.deps.map((d) => d.path === logrus.path ? { ...d, version: "v1.8.0" } : d);
  await assert.rejects(
    buildPlugin({ ...base, shimDeps: fakeDeps, pluginDir: dir, output: join(dir, "x.so") }),
    (err: Error) => err instanceof PluginBuildError && err.message.includes(`module github.com/sirupsen/logrus resolves to ${logrus.version}`) &&
      err.message.includes("go get github.com/sirupsen/logrus@v1.8.0"),
  );
});

test("gateway plugin build and plugin check work from the command line", () => {
  const dir = mkdtempSync(join(tmpdir(), "cli-"));
  const out = join(dir, "cli.so");
  const build = gateway("plugin", "build", join(PLUGIN_SOURCES, "addheader"), "-o", out);
  assert.equal(build.status, 0, build.stderr);
  assert.equal(build.stdout.trim(), out);
  const ok = gateway("plugin", "check", out, "--symbol", "AddFooBarHeader");
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /OK, loads in this gateway/);
  const missing = gateway("plugin", "check", out, "--symbol", "Missing");
  assert.equal(missing.status, 1);
  assert.match(missing.stdout, /symbol Missing not found/);
});

test("gateway plugin check --analytics checks a symbol as an analytics plugin", () => {
  const ok = gateway("plugin", "check", plugins["tyk-goplugins"], "--symbol", "MyAnalyticsPluginAddTag", "--analytics");
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /OK, loads in this gateway/);
  const asRequest = gateway("plugin", "check", plugins["tyk-goplugins"], "--symbol", "MyAnalyticsPluginAddTag");
  assert.equal(asRequest.status, 1);
  assert.match(asRequest.stdout, /a request hook must be func\(http\.ResponseWriter, \*http\.Request\)/);
});

test("a plugin built with plain go build (no -trimpath) is refused by plugin check, saying why", () => {
  const dir = mkdtempSync(join(tmpdir(), "plain-"));
  cpSync(join(PLUGIN_SOURCES, "addheader"), dir, { recursive: true });
  writeFileSync(join(dir, "go.mod"), "module plain\n\ngo 1.22\n");
  const so = join(dir, "plain.so");
  const res = spawnSync("go", ["build", "-buildmode=plugin", "-o", so, "."], { cwd: dir, env: goEnv(), encoding: "utf8" });
  assert.equal(res.status, 0, res.stderr);
  const check = gateway("plugin", "check", so);
  assert.equal(check.status, 1);
  assert.match(check.stdout, /-trimpath/);
  assert.match(check.stdout, /gateway plugin build/);
  const load = shim.loadPlugin(so, "AddFooBarHeader");
  assert.equal(load.ok, false);
  assert.match(!load.ok ? load.error : "", /will not load in this gateway: .*-trimpath.*rebuild it with `gateway plugin build`/);
});
