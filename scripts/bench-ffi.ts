// Cost of plugin hooks through the FFI, against an empty call into Go.
//   deno run -A scripts/bench-ffi.ts        runs the benchmark under Deno and Bun, prints a table
//   <runtime> scripts/bench-ffi.ts --child  measures in the current runtime only (JSON line)
// "request, one hook": the whole life of a request's Go twin with one hook
// (open it with method, URI, headers; run a header-setting plugin; decode what
// changed; release it). "one more hook": one further run of that plugin on
// an open request, as a later hook of the same request costs. "five hooks":
// five plugins in one run (one entry into Go).

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import type { RunResult } from "../ffi/wire.ts";
import { buildTestPlugins } from "../test/helpers/plugins.ts";
import { CLASSIC_API, openSection } from "../test/helpers/shim.ts";
import { loadRuntime } from "../src/runtime/index.ts";
import { REPO_ROOT } from "../src/shim/build.ts";
import { openShim } from "../src/shim/open.ts";

const N = Number(process.env.BENCH_N ?? 100_000);
// The gateway waits 1 ms; here a run is never handed off (a busy machine could push one over 1 ms, and the
// loop cannot await it), which costs the same: the wait is a timer either way.
const BUDGET_US = 1_000_000;

function nsPerOp(fn: () => void, n = N): number {
  for (let i = 0; i < Math.min(n / 10, 10_000); i++) fn();
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, ((performance.now() - t) * 1e6) / n);
  }
  return best;
}

// A run that overran the budget (the machine was busy) would come back as a promise: counted, not awaited here.
let handedOff = 0;
const sync = (r: RunResult | Promise<RunResult>) => {
  if (r instanceof Promise) handedOff++;
};

async function child(): Promise<void> {
  const runtime = await loadRuntime();
  const shim = openShim(runtime);
  const plugins = await buildTestPlugins(shim);
  const api = shim.registerApi("classic", CLASSIC_API);
  const r = shim.loadPlugin(plugins.addheader, "SetFooBarHeader");
  if (!r.ok) throw new Error(r.error);
  const addHeader = { plugin: r.handle };
  const open = openSection();
  const empty = nsPerOp(() => shim.abiVersion());
  const request = nsPerOp(() => {
    const run = shim.run(api, 0, { open, hooks: [addHeader] }, BUDGET_US);
    sync(run.result);
    shim.releaseRequest(run.request);
  });
  const handle = shim.run(api, 0, { open, hooks: [] }, BUDGET_US).request;
  const oneMore = nsPerOp(() => sync(shim.run(api, handle, { hooks: [addHeader] }, BUDGET_US).result));
  const five = nsPerOp(() => sync(shim.run(api, handle, { hooks: [addHeader, addHeader, addHeader, addHeader, addHeader] }, BUDGET_US).result));
  shim.releaseRequest(handle);
  console.log(JSON.stringify({ runtime: runtime.name, empty, request, oneMore, five, handedOff }));
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
  console.log(`ns per operation (best of 3 x ${N})`);
  console.log("runtime | empty FFI call | request, one hook | one more hook | five hooks, one run | more hook / empty | handed off");
  for (const r of rows) {
    console.log(`${r.runtime.padEnd(7)} | ${f(r.empty)} | ${f(r.request)} | ${f(r.oneMore)} | ${f(r.five)} | ${(r.oneMore / r.empty).toFixed(1).padStart(6)}x | ${r.handedOff}`);
  }
  console.log(`Deno / Bun, one more hook: ${(rows[0].oneMore / rows[1].oneMore).toFixed(2)}`);
}

if (process.argv.includes("--child")) await child();
else parent();
