// The builder never edits a plugin's meaning: the only change to its sources
// is the import path of specs naming the plugin's own module (found with
// Go's parser); and a Tyk package we do not provide stops the build, before
// any download, with a line saying so.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { buildPlugin, PluginBuildError } from "../../src/plugin-builder/index.ts";
import { goEnv, SHIM_SOURCE_DIR } from "../../src/shim/build.ts";
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

// A plugin whose module is `greeter`, naming its module in every place an
// import path could be mistaken for: the text of each file is a function of
// the path its own-package import spec holds, so the expected result of a
// rewrite is that same text with only that path changed.
const greeterFiles = (ownImport: string): Record<string, string> => ({
  "go.mod": "module greeter\n\ngo 1.22\n",
  "greeter": "embedded \"greeter\" file\n",
  "main.go": `//go:build !greeter

// Package main is the plugin of module "greeter"; see "greeter/words".
package main

import (
	_ "embed"
	"encoding/json"
	"net/http"

	"${ownImport}/words"
)

//go:embed "greeter"
var embedded string

type reply struct {
	Module string \`json:"greeter"\`
	Words  string \`json:"greeter/words,omitempty"\`
}

// Greet sets headers from a string literal, a raw literal, a struct tag and an embedded file.
func Greet(rw http.ResponseWriter, r *http.Request) {
	r.Header.Set("X-Module", "greeter")
	r.Header.Set("X-Raw", \`greeter/words\`)
	b, _ := json.Marshal(reply{Module: words.Hello, Words: "x"})
	r.Header.Set("X-Json", string(b))
	r.Header.Set("X-Embedded", embedded)
}

func main() {}
`,
  "words/words.go": `package words

import _ \`${ownImport}/words/inner\`

// Hello names the module: "greeter".
const Hello = "greeter"
`,
  "words/inner/inner.go": "package inner\n",
});

test("plugin sources: only the import specs of the plugin's own packages change, byte for byte", () => {
  const dir = mkdtempSync(join(tmpdir(), "greeter-src-"));
  // Paths under the module path that are not its packages: another module
  // (greeter/v2), a nested module (greeter/nested), no such directory.
  const others = {
    "extra/extra.go": 'package extra\n\nimport (\n\t_ "greeter/v2/thing"\n\t_ "greeter/nested"\n\t_ "greeter/missing"\n)\n',
    "nested/go.mod": "module greeter/nested\n",
    "nested/nested.go": "package nested\n",
  };
  writeTree(dir, { ...greeterFiles("greeter"), ...others });
  const to = "tykgw.plugin/greeter/b123";
  const res = spawnSync("go", ["run", "./pluginsrc", "-from", "greeter", "-to", to, dir], { cwd: join(SHIM_SOURCE_DIR, "tools"), env: goEnv(), encoding: "utf8" });
  assert.equal(res.status, 0, res.stderr);
  const want: Record<string, string> = { ...greeterFiles(to), ...others };
  for (const name of Object.keys(want)) assert.equal(readFileSync(join(dir, name), "utf8"), want[name], name);
  assert.deepEqual(JSON.parse(res.stdout).imports, {
    embed: ["main.go"],
    "encoding/json": ["main.go"],
    "net/http": ["main.go"],
    "greeter/words": ["main.go"],
    "greeter/words/inner": ["words/words.go"],
    "greeter/v2/thing": ["extra/extra.go"],
    "greeter/nested": ["extra/extra.go"],
    "greeter/missing": ["extra/extra.go"],
  });
});

test("plugin build: a module named like its strings keeps them (header value, raw literal, JSON tag, embedded file)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "greeter-"));
  writeTree(dir, greeterFiles("greeter"));
  const { output } = await buildPlugin({ ...base, pluginDir: dir, output: join(dir, "greeter.so") });
  const loaded = shim.loadPlugin(output, "Greet");
  if (!loaded.ok) assert.fail(loaded.error);
  const out = await runOnce(shim, shim.registerApi("classic", { ...CLASSIC_API, api_id: "greeter" }), [loaded.handle]);
  assert.deepEqual(Object.fromEntries(out.headerChanges ?? []), {
    "X-Module": ["greeter"],
    "X-Raw": ["greeter/words"],
    "X-Json": [`{"greeter":"greeter","greeter/words":"x"}`],
    "X-Embedded": [`embedded "greeter" file\n`],
  });
});

test("plugin build: a Tyk package we do not provide stops the build before any download, one line each", async () => {
  const dir = mkdtempSync(join(tmpdir(), "unprovided-"));
  writeTree(dir, {
    "main.go": `package main

import (
	"net/http"

	"example.invalid/never/downloaded"
	"github.com/TykTechnologies/tyk-pump/analytics"
	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/gateway"
	"github.com/TykTechnologies/tyk/nosuch"
)

func H(rw http.ResponseWriter, r *http.Request) { _ = ctx.GetSession(r); _ = gateway.X; _ = nosuch.Y; _ = downloaded.Z }

func A(rec *analytics.AnalyticsRecord) {}

func main() {}
`,
    "store.go": `package main

import _ "github.com/TykTechnologies/tyk/storage"
import _ "github.com/TykTechnologies/tyk-pump/pumps"
`,
  });
  await assert.rejects(buildPlugin({ ...base, pluginDir: dir, output: join(dir, "x.so") }), (err: Error) => {
    assert.ok(err instanceof PluginBuildError);
    const lines = err.message.split("\n").slice(1);
    assert.equal(lines.length, 4, err.message);
    const provided = /; provided: ([^;]+);/;
    const [gateway, nosuch, storage, pumps] = lines;
    assert.match(gateway, /^- github\.com\/TykTechnologies\/tyk\/gateway is not provided by this gateway; provided: [^;]*\bctx\b[^;]*\bregexp\b[^;]*; it is Tyk's gateway program itself .*\(imported by main\.go\)$/);
    assert.match(storage, /^- github\.com\/TykTechnologies\/tyk\/storage is not provided by this gateway; .*connect with a Redis client of your own.*\(imported by store\.go\)$/);
    assert.match(nosuch, /^- github\.com\/TykTechnologies\/tyk\/nosuch is not provided by this gateway; .*check the import path/);
    assert.match(pumps, /^- github\.com\/TykTechnologies\/tyk-pump\/pumps is not provided by this gateway; provided: analytics;/);
    assert.deepEqual(provided.exec(gateway)?.[1].split(", ").filter((p) => ["ctx", "user", "apidef", "apidef/oas", "header", "headers", "log", "request", "regexp"].includes(p)).length, 9);
    assert.doesNotMatch(err.message, /example\.invalid|go mod tidy/, "nothing was resolved or downloaded");
    return true;
  });
});
