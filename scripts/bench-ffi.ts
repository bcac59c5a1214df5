// Cost of plugin hooks through the FFI, against an empty call into Go.
//   deno run -A scripts/bench-ffi.ts        runs the benchmark under Deno and Bun, prints a table
//   <runtime> scripts/bench-ffi.ts --child  measures in the current runtime only (JSON line)
// Every run goes to a Go worker and comes back through the completion
// callback, so a run's cost depends on how many are in flight:
// "request, one hook, in turn": the whole life of a request's Go twin with
// one header-setting hook (open, run, await, release), one request at a time:
// the latency of a lone request. "one more hook, in turn": one further run on
// an open request, awaited before the next. "runs, 64 in flight": the cost
// per run when 64 requests run hooks at once, as under load (completions
// come back in batches).

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { buildTestPlugins } from "../test/helpers/plugins.ts";
import { CLASSIC_API, openSection } from "../test/helpers/shim.ts";
import { loadRuntime } from "../src/runtime/index.ts";
import { REPO_ROOT } from "../src/shim/build.ts";
import { openShim } from "../src/shim/open.ts";

const N = Number(process.env.BENCH_N ?? 20_000);

function nsPerOp(fn: () => void, n = N * 10): number {
  for (let i = 0; i < Math.min(n / 10, 10_000); i++) fn();
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, ((performance.now() - t) * 1e6) / n);
  }
  return best;
}

async function nsPerAsyncOp(fn: () => Promise<unknown>, n = N): Promise<number> {
  for (let i = 0; i < n / 10; i++) await fn();
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) await fn();
    best = Math.min(best, ((performance.now() - t) * 1e6) / n);
  }
  return best;
}

async function child(): Promise<void> {
  const runtime = await loadRuntime();
  const shim = openShim(runtime);
  const plugins = await buildTestPlugins(shim);
  const api = shim.registerApi("classic", CLASSIC_API);
  const r = shim.loadPlugin(plugins.addheader, "SetFooBarHeader");
  if (!r.ok) throw new Error(r.error);
  const setHeader = { plugin: r.handle };
  const open = openSection();
  const empty = nsPerOp(() => shim.abiVersion());
  const request = await nsPerAsyncOp(async () => {
    const run = shim.run(api, 0, { open, hooks: [setHeader] });
    await run.result;
    shim.releaseRequest(run.request);
  });
  const handle = shim.run(api, 0, { open, hooks: [] });
  await handle.result;
  const oneMore = await nsPerAsyncOp(() => shim.run(api, handle.request, { hooks: [setHeader] }).result);
  shim.releaseRequest(handle.request);
  // 64 requests, each running one hook after another: the per-run cost with runs in flight.
  const lanes = await Promise.all(Array.from({ length: 64 }, async () => {
    const h = shim.run(api, 0, { open, hooks: [] });
    await h.result;
    return h.request;
  }));
  const perLane = N / 16;
  const inFlight = await nsPerAsyncOp(async () => {
    await Promise.all(lanes.map(async (h) => {
      for (let i = 0; i < perLane; i++) await shim.run(api, h, { hooks: [setHeader] }).result;
    }));
  }, 1) / (64 * perLane);
  for (const h of lanes) shim.releaseRequest(h);
  console.log(JSON.stringify({ runtime: runtime.name, empty, request, oneMore, inFlight }));
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
  console.log(`ns per operation (best of 3; BENCH_N=${N})`);
  console.log("runtime | empty FFI call | request, one hook, in turn | one more hook, in turn | runs, 64 in flight | in flight / empty");
  for (const r of rows) {
    console.log(`${r.runtime.padEnd(7)} | ${f(r.empty)} | ${f(r.request)} | ${f(r.oneMore)} | ${f(r.inFlight)} | ${(r.inFlight / r.empty).toFixed(0).padStart(5)}x`);
  }
  console.log(`Deno / Bun, runs in flight: ${(rows[0].inFlight / rows[1].inFlight).toFixed(2)}`);
}

if (process.argv.includes("--child")) await child();
else parent();
