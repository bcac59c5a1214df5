// Plugins laid out as Tyk's docs describe build unchanged: a go.work beside
// a Tyk checkout, a go.mod written against a real Tyk version (with Tyk's
// dependency graph recorded as indirect requirements, and Tyk's own replace
// of kin-openapi copied in), local replace directives, a vendor/ folder.
// Whatever is not used is said.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { test } from "node:test";
import { buildPlugin } from "../../src/plugin-builder/index.ts";
import { SHIM_SOURCE_DIR } from "../../src/shim/build.ts";
import { GATEWAY_VERSION } from "../../src/version.ts";
import { CLASSIC_API, runOnce, testShim } from "../helpers/shim.ts";

const { shim } = await testShim();
const info = shim.info();
const base = { shimDir: SHIM_SOURCE_DIR, shimGo: info.go, shimDeps: info.deps, gatewayVersion: GATEWAY_VERSION };

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

// The go.mod `go get github.com/TykTechnologies/tyk@<commit> && go mod tidy`
// leaves in a workspace: Tyk's pseudo-version, and indirect requirements from
// Tyk's graph (golang.org/x/net's go.mod asks for a golang.org/x/sys far newer
// than the gateway's, so keeping it would make a version conflict).
const goMod = `module testplugin

go 1.22.7

require (
	example.com/shout v0.0.0-00010101000000-000000000000
	github.com/TykTechnologies/tyk v1.9.2-0.20240920094713-2b4ad1d9d1a4
)

require (
	github.com/sirupsen/logrus v1.9.3 // indirect
	golang.org/x/net v0.35.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
)

replace example.com/shout => ../shout

replace github.com/getkin/kin-openapi => github.com/TykTechnologies/kin-openapi v0.90.0
`;

test("plugin build: a Tyk docs workspace (go.work, Tyk checkout, go.mod against real Tyk, vendor/) builds as it is, saying what it did not use", async () => {
  const ws = mkdtempSync(join(tmpdir(), "tyk-workspace-"));
  writeTree(ws, {
    "go.work": "go 1.22.7\n\nuse (\n\t./plugins\n\t./tyk-release-5.3.6\n\t./greetlib\n\t./not-a-module\n)\n",
    // Only its go.mod matters: were it used, this file would not compile.
    "tyk-release-5.3.6/go.mod": "module github.com/TykTechnologies/tyk\n\ngo 1.22.7\n",
    "tyk-release-5.3.6/ctx/ctx.go": "package ctx\n\nthis is not Go\n",
    "not-a-module/README": "no go.mod here\n",
    "greetlib/go.mod": "module example.com/greetlib\n\ngo 1.22\n",
    "greetlib/greet.go": "package greetlib\n\n// Greeting is what the workspace's library says.\nconst Greeting = \"hello from the workspace\"\n",
    "shout/go.mod": "module example.com/shout\n\ngo 1.22\n",
    "shout/shout.go": "package shout\n\nimport \"strings\"\n\n// Up shouts.\nfunc Up(s string) string { return strings.ToUpper(s) }\n",
    "plugins/go.mod": goMod,
    "plugins/main.go": `package main

import (
	"net/http"

	"example.com/greetlib"
	"example.com/shout"
	"github.com/TykTechnologies/tyk/ctx"
)

func Hook(rw http.ResponseWriter, r *http.Request) {
	r.Header.Set("X-Greeting", shout.Up(greetlib.Greeting))
	r.Header.Set("X-Api", ctx.GetDefinition(r).APIID)
}

func main() {}
`,
    "plugins/vendor/modules.txt": "# github.com/TykTechnologies/tyk v1.9.2-0.20240920094713-2b4ad1d9d1a4\n## explicit; go 1.22.7\ngithub.com/TykTechnologies/tyk/ctx\n",
    "plugins/vendor/github.com/TykTechnologies/tyk/ctx/ctx.go": "package ctx\n\nthis is not Go either\n",
  });
  const pluginDir = join(ws, "plugins");
  const before = snapshot(ws);
  const notes: string[] = [];
  const { output } = await buildPlugin({ ...base, pluginDir, output: join(mkdtempSync(join(tmpdir(), "ws-out-")), "plugin.so"), log: (m) => notes.push(m) });
  assert.deepEqual(snapshot(ws), before, "nothing in the workspace was written");

  const loaded = shim.loadPlugin(output, "Hook");
  if (!loaded.ok) assert.fail(loaded.error);
  const out = await runOnce(shim, shim.registerApi("classic", { ...CLASSIC_API, api_id: "ws-api" }), [loaded.handle]);
  assert.deepEqual(Object.fromEntries(out.headerChanges ?? []), { "X-Greeting": ["HELLO FROM THE WORKSPACE"], "X-Api": ["ws-api"] });

  const said = notes.filter((n) => n.startsWith("note: ")).map((n) => n.slice(6));
  const work = join(ws, "go.work");
  assert.deepEqual(said.sort(), [
    `${work}: example.com/greetlib is taken from ${join(ws, "greetlib")}`,
    `${work}: use ./not-a-module is not used: ${join(ws, "not-a-module")} has no go.mod`,
    `${work}: use ./tyk-release-5.3.6 (github.com/TykTechnologies/tyk) is not used: plugins build against this gateway's Tyk packages`,
    "go.mod: its 3 indirect requirements were recorded against github.com/TykTechnologies/tyk v1.9.2-0.20240920094713-2b4ad1d9d1a4's own dependencies and are not used; the modules the plugin needs are worked out again for this gateway's Tyk packages",
    `go.mod: replace github.com/getkin/kin-openapi => github.com/TykTechnologies/kin-openapi v0.90.0 is not used: the gateway is built with github.com/getkin/kin-openapi ${info.deps.find((d) => d.path === "github.com/getkin/kin-openapi")?.version}, and a plugin must share it`,
    "vendor/ is not used: it was made against Tyk's own packages, which this gateway replaces with its own; the other modules come from the Go module cache or GOPROXY",
  ].sort());
});
