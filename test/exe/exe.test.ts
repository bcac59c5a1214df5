// The single executable as it ships (scripts/build-exe.ts, dist/gateway):
// copied out of the repository into a temp dir, it reports its versions,
// builds a plugin that its own gateway then loads and serves, keeps its
// embedded shim in a private directory and rewrites a tampered copy. Also:
// the deno compile path stops cleanly where Deno's base binary cannot be had.
//
// The executable is built once and reused while it is newer than everything
// it embeds (exeIsFresh), so a second run costs seconds.

import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, test } from "node:test";
import { EXE_PATH, exeIsFresh } from "../../scripts/build-exe.ts";
import { goEnv, REPO_ROOT } from "../../src/shim/build.ts";

const isBun = "Bun" in globalThis;
const bin = (name: string): string => join(REPO_ROOT, "node_modules", ".bin", name);
const sha256File = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");
const SLOW = { timeout: 600_000 };

// One work dir per test process, far from the repository: the executable, its cache, plugins, configs.
const WORK = mkdtempSync(join(tmpdir(), "tykgw-exe-"));
// after(), not process "exit": Deno's test runner does not emit the latter.
after(() => rmSync(WORK, { recursive: true, force: true }));
const CACHE = join(WORK, "cache");

/** The executable's environment: a private XDG cache; Go keeps the user's build cache (it would follow XDG_CACHE_HOME). */
const exeEnv = ((): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: CACHE };
  env.GOCACHE = execFileSync("go", ["env", "GOCACHE"], { env: goEnv(), encoding: "utf8" }).trim();
  delete env.TYKGW_SHIM; // the embedded shim is what is under test
  return env;
})();

let exePath: string | undefined;
/** dist/gateway, built unless up to date, copied into the work dir. */
function executable(): string {
  if (exePath) return exePath;
  if (!exeIsFresh()) {
    const script = join(REPO_ROOT, "scripts", "build-exe.ts");
    const [cmd, args] = isBun ? [bin("bun"), [script]] : [bin("deno"), ["run", "-A", script]];
    const t0 = Date.now();
    const r = spawnSync(cmd, args, { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, `build failed:\n${r.stdout}${r.stderr}`);
    console.log(`[exe] built ${EXE_PATH} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  exePath = join(WORK, "gateway");
  copyFileSync(EXE_PATH, exePath);
  chmodSync(exePath, 0o755);
  console.log(`[exe] ${(statSync(exePath).size / 1024 / 1024).toFixed(1)} MiB`);
  return exePath;
}

function gw(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(executable(), args, { cwd: WORK, env: exeEnv, encoding: "utf8", timeout: 300_000, maxBuffer: 64 << 20 });
}

interface Installed {
  library: string;
  sha256: string;
  dir: string;
  sources: string;
}

let installed: Installed | undefined;
/** Runs `version` and reads where the embedded shim was unpacked. */
function versionReport(): { out: SpawnSyncReturns<string>; installed: Installed } {
  const out = gw("version");
  assert.equal(out.status, 0, out.stderr);
  const m = /^shim (\S+) \(embedded, sha256 ([0-9a-f]{64})\)$/m.exec(out.stdout);
  assert.ok(m, `no embedded shim line in:\n${out.stdout}`);
  const dir = join(m[1], "..");
  installed = { library: m[1], sha256: m[2], dir, sources: join(dir, "shim-go") };
  return { out, installed };
}

/** The installed paths, running `version` once if no test did yet. */
function installation(): Installed {
  return installed ?? versionReport().installed;
}

let pluginPath: string | undefined;
/** Copies test/plugins/<name> into the work dir and builds it there with the executable; returns the .so. */
function buildWithExe(name: string): string {
  const dir = join(WORK, name);
  cpSync(join(REPO_ROOT, "test", "plugins", name), dir, { recursive: true });
  const r = gw("plugin", "build", name);
  assert.equal(r.status, 0, `plugin build failed:\n${r.stdout}${r.stderr}`);
  const so = r.stdout.trim().split("\n").pop()!;
  assert.ok(so.startsWith(dir) && existsSync(so), `built ${so}`);
  return so;
}

/** test/plugins/addheader, built by the executable (once). */
function plugin(): string {
  return pluginPath ??= buildWithExe("addheader");
}

test("version names the gateway, runtime, Go toolchain, shim ABI and modules, run from outside the repository", SLOW, () => {
  const { out, installed } = versionReport();
  const goVersion = execFileSync("go", ["env", "GOVERSION"], { env: goEnv(), encoding: "utf8" }).trim();
  assert.match(out.stdout, /^gateway \d+\.\d+\.\d+/m);
  assert.match(out.stdout, /^runtime bun \S+ \(single executable\)$/m);
  assert.match(out.stdout, new RegExp(`^go ${goVersion.replace(/\./g, "\\.")}$`, "m"));
  assert.match(out.stdout, /^shim ABI \d+$/m);
  assert.match(out.stdout, /^plugins must match:\n {2}\S+ \S+/m);
  assert.match(out.stdout, /^ {2}github\.com\/sirupsen\/logrus v\S+$/m);
  // Unpacked into a private, per-version directory under XDG_CACHE_HOME, and exactly the embedded bytes.
  assert.ok(installed.library.startsWith(join(CACHE, "tyk-plugin-gateway") + "/"), installed.library);
  assert.match(installed.dir, /\/\d+\.\d+\.\d+[^/]*-[0-9a-f]{16}$/);
  for (const d of [join(CACHE, "tyk-plugin-gateway"), installed.dir]) assert.equal(statSync(d).mode & 0o777, 0o700, d);
  assert.equal(sha256File(installed.library), installed.sha256);
  assert.ok(existsSync(join(installed.sources, "go.mod")) && existsSync(join(installed.sources, "tyk", "ctx", "ctx.go")));
});

test("plugin build from the executable makes a plugin that plugin check accepts", SLOW, () => {
  const so = plugin();
  const check = gw("plugin", "check", so, "--symbol", "AddFooBarHeader");
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  assert.match(check.stdout, /OK, loads in this gateway/);
});

test("plugin build from the executable compiles Tyk's packages from the sources it unpacked, not the repository's", SLOW, () => {
  const so = buildWithExe("tykcompat"); // imports github.com/TykTechnologies/tyk/{ctx,header,user}
  const check = gw("plugin", "check", so, "--symbol", "Pre");
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  const info = execFileSync("go", ["version", "-m", so], { env: goEnv(), encoding: "utf8" });
  const replaced = /^\s*dep\s+github\.com\/TykTechnologies\/tyk\s+\S+\s*\n\s*=>\s+(\S+)/m.exec(info);
  assert.ok(replaced, info);
  assert.equal(replaced[1], join(installation().sources, "tyk"));
});

test("bundle build from the executable zips a plugin with its manifest", SLOW, () => {
  const dir = mkdtempSync(join(WORK, "bundle-"));
  copyFileSync(plugin(), join(dir, "addheader.so"));
  writeFileSync(
    join(dir, "manifest.json"),
    JSON.stringify({ file_list: ["addheader.so"], custom_middleware: { driver: "goplugin", pre: [{ name: "AddFooBarHeader", path: "addheader.so" }] } }),
  );
  const r = spawnSync(executable(), ["bundle", "build", "-y"], { cwd: dir, env: exeEnv, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  const zip = readFileSync(join(dir, "bundle.zip"));
  assert.equal(zip.subarray(0, 2).toString("latin1"), "PK");
  assert.ok(zip.includes("manifest.json") && zip.includes("addheader.so"));
});

test("the executable serves a keyless API through the plugin it built; SIGTERM stops it", SLOW, async () => {
  const so = plugin();
  const upstream: Server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ url: req.url, headers: req.headers }));
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  const target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const confDir = mkdtempSync(join(WORK, "serve-"));
  mkdirSync(join(confDir, "apps"));
  writeFileSync(join(confDir, "tyk.conf"), JSON.stringify({ listen_port: 0, listen_address: "127.0.0.1", secret: "s3cret", app_path: "./apps/", log_level: "info" }));
  writeFileSync(
    join(confDir, "apps", "addheader.json"),
    JSON.stringify({
      api_id: "addheader",
      name: "addheader",
      org_id: "default",
      active: true,
      use_keyless: true,
      proxy: { listen_path: "/addheader/", target_url: target, strip_listen_path: true },
      custom_middleware: { driver: "goplugin", pre: [{ name: "AddFooBarHeader", path: so }] },
    }),
  );
  // Through sh, which reports the real exit status (Deno's child_process reports a
  // child that handled SIGTERM and exited 0 as killed by the signal).
  const t0 = Date.now();
  const proc: ChildProcess = spawn("/bin/sh", ["-c", '"$@"; echo "exit-status=$?" >&2', "sh", executable(), "--conf", "tyk.conf"], {
    cwd: confDir,
    env: exeEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = "";
  let buf = "";
  const exited = new Promise<number | null>((r) => proc.on("exit", () => r(Number(/exit-status=(\d+)/.exec(stderr)?.[1] ?? NaN))));
  const listening = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening within 60 s; stderr:\n${stderr}`)), 60_000);
    exited.then((code) => reject(new Error(`gateway exited (${code}) before listening; stderr:\n${stderr}\n${JSON.stringify(logs)}`)));
    proc.stdout!.on("data", (chunk: Buffer) => {
      buf += chunk.toString("utf8");
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let rec: Record<string, unknown>;
        try {
          rec = JSON.parse(line);
        } catch {
          continue;
        }
        logs.push(rec);
        if (typeof rec.msg === "string" && rec.msg.startsWith("gateway listening") && typeof rec.port === "number") {
          clearTimeout(timer);
          resolve(rec);
        }
      }
    });
  });
  proc.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  try {
    const rec = await listening;
    console.log(`[exe] cold start to "gateway listening": ${Date.now() - t0} ms`);
    const res = await fetch(`http://127.0.0.1:${rec.port}/addheader/hello?x=1`);
    assert.equal(res.status, 200);
    const echo = (await res.json()) as { url: string; headers: Record<string, string> };
    assert.equal(echo.headers.foo, "Bar", JSON.stringify(echo.headers));
    assert.equal(echo.url, "/hello?x=1");
    process.kill(Number(rec.pid), "SIGTERM");
    assert.equal(await exited, 0, stderr);
    assert.ok(logs.some((l) => l.msg === "gateway stopped"), JSON.stringify(logs));
  } finally {
    if (proc.exitCode === null) proc.kill("SIGKILL");
    await new Promise<void>((r) => upstream.close(() => r()));
  }
});

test("a tampered embedded shim or Go source is rewritten before use", SLOW, () => {
  const installed = installation();
  const ctxGo = join(installed.sources, "tyk", "ctx", "ctx.go");
  const original = readFileSync(ctxGo, "utf8");
  chmodSync(installed.library, 0o700);
  writeFileSync(installed.library, "not a shim");
  chmodSync(ctxGo, 0o600);
  writeFileSync(ctxGo, `${original}\n// edited\n`);
  writeFileSync(join(installed.sources, "tyk", "ctx", "extra.go"), "package ctx\n");
  chmodSync(installed.dir, 0o755);

  const { out } = versionReport();
  assert.match(out.stderr, /libtykshim\.so did not match the SHA-256 recorded at build time: rewrote it/);
  assert.match(out.stderr, /shim-go did not match the SHA-256 recorded at build time: rewrote it/);
  assert.equal(sha256File(installed.library), installed.sha256);
  assert.equal(readFileSync(ctxGo, "utf8"), original);
  assert.equal(existsSync(join(installed.sources, "tyk", "ctx", "extra.go")), false);
  assert.equal(statSync(installed.dir).mode & 0o777, 0o700);
  // And an intact copy is only verified, not rewritten.
  assert.doesNotMatch(versionReport().out.stderr, /rewrote|unpacked/);
});

test("scripts/build-deno-exe.ts without DENORT_BIN and without network exits 2 naming DENORT_BIN", SLOW, () => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DENORT_BIN;
  delete env.NO_PROXY;
  delete env.no_proxy;
  // No cached denort, and a proxy that refuses at once: "no network" even on a machine that has one.
  env.DENO_DIR = mkdtempSync(join(WORK, "deno-dir-"));
  env.HTTPS_PROXY = env.https_proxy = env.HTTP_PROXY = env.http_proxy = "http://127.0.0.1:9";
  const script = join(REPO_ROOT, "scripts", "build-deno-exe.ts");
  const t0 = Date.now();
  const r = spawnSync(bin("deno"), ["run", "-A", script], { cwd: REPO_ROOT, env, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 2, `${r.stdout}${r.stderr}`);
  assert.match(r.stderr, /DENORT_BIN/);
  assert.match(r.stderr, /denort/);
  assert.doesNotMatch(r.stderr, /^\s+at |Stack backtrace/m, "no stack trace");
  assert.ok(Date.now() - t0 < 30_000, "does not wait on network timeouts");

  // The full deno binary is refused as a base: it would build an executable that starts a REPL.
  const cli = spawnSync(bin("deno"), ["run", "-A", script], { cwd: REPO_ROOT, env: { ...env, DENORT_BIN: bin("deno") }, encoding: "utf8", timeout: 60_000 });
  assert.equal(cli.status, 2, `${cli.stdout}${cli.stderr}`);
  assert.match(cli.stderr, /DENORT_BIN .* is the deno CLI itself, not denort/);
});
