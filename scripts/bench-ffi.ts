// Cost of one plugin call through the FFI, against an empty call into Go.
//   deno run -A scripts/bench-ffi.ts        runs the benchmark under Deno and Bun, prints a table
//   <runtime> scripts/bench-ffi.ts --child  measures in the current runtime only (JSON line)
// A "plugin call" is the whole path: encode the request, call Go, build the
// http.Request, run the plugin (it adds a header), encode and decode the changes.

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { buildTestPlugins } from "../test/helpers/plugins.ts";
import { CLASSIC_API, request } from "../test/helpers/shim.ts";
import { loadRuntime } from "../src/runtime/index.ts";
import { REPO_ROOT } from "../src/shim/build.ts";
import { openShim } from "../src/shim/open.ts";

const N = Number(process.env.BENCH_N ?? 300_000);

function nsPerOp(fn: () => void, n = N): number {
  for (let i = 0; i < Math.min(n / 10, 20_000); i++) fn();
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, ((performance.now() - t) * 1e6) / n);
  }
  return best;
}

async function child(): Promise<void> {
  const runtime = await loadRuntime();
  const shim = openShim(runtime);
  const plugins = await buildTestPlugins(shim);
  const api = shim.registerApi("classic", CLASSIC_API);
  const load = (sym: string) => {
    const r = shim.loadPlugin(plugins.addheader, sym);
    if (!r.ok) throw new Error(r.error);
    return r.handle;
  };
  const addHeader = load("AddFooBarHeader");
  const noop = load("Noop");
  const req = request();
  const empty = nsPerOp(() => shim.abiVersion());
  const noopCall = nsPerOp(() => shim.callInline(noop, api, req));
  const headerCall = nsPerOp(() => shim.callInline(addHeader, api, req));
  const asyncN = 20_000;
  const t = performance.now();
  for (let i = 0; i < asyncN; i++) await shim.callAsync(addHeader, api, req);
  const asyncCall = ((performance.now() - t) * 1e6) / asyncN;
  console.log(JSON.stringify({ runtime: runtime.name, empty, noopCall, headerCall, asyncCall }));
}

function parent(): void {
  const bin = (n: string) => join(REPO_ROOT, "node_modules", ".bin", n);
  const self = join(REPO_ROOT, "scripts", "bench-ffi.ts");
  const rows = [
    [bin("deno"), ["run", "-A", self, "--child"]],
    [bin("bun"), [self, "--child"]],
  ].map(([cmd, args]) => {
    const r = spawnSync(cmd as string, args as string[], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").pop()!);
  });
  const f = (n: number) => n.toFixed(0).padStart(8);
  console.log(`ns per call (best of 3 x ${N}; async: ${20_000} sequential calls)`);
  console.log("runtime | empty FFI call | noop plugin | add-header plugin | ratio to empty | async add-header");
  for (const r of rows) {
    console.log(`${r.runtime.padEnd(7)} | ${f(r.empty)} | ${f(r.noopCall)} | ${f(r.headerCall)} | ${(r.headerCall / r.empty).toFixed(1).padStart(5)}x | ${f(r.asyncCall)}`);
  }
  console.log(`Deno / Bun, add-header call: ${(rows[0].headerCall / rows[1].headerCall).toFixed(2)}`);
}

if (process.argv.includes("--child")) await child();
else parent();
