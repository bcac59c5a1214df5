// Two builds of the gateway compared within one run, interleaved, since on this machine figures drift by up to 2x
// between runs: the working tree against another revision (--base REV, checked out under build/ab/ with its own
// shim). Each build's gateway is started in turn for each case, warmed up, and measured with wrk while its CPU time
// is read from /proc: throughput, and CPU per request for the whole process and for its JavaScript thread (the
// bottleneck), which drift less than throughput does.
//   deno run -A scripts/bench-ab.ts --base REV [--runtime bun|deno] [--cases allhooks,oneplugin,noplugin]
//                                   [--repeat 3] [--duration 3] [--connections 50]
// Both builds load the test plugins built for the working tree: the two revisions must share shim-go/tyk.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { loadRuntime } from "../src/runtime/index.ts";
import { REPO_ROOT } from "../src/shim/build.ts";
import { openShim } from "../src/shim/open.ts";
import { buildTestPlugins } from "../test/helpers/plugins.ts";
import { ensureWrk, startBenchUpstream, waitFor, wrk, writeBenchApis } from "./bench-lib.ts";

const flag = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const BASE = flag("base", "");
if (!BASE) throw new Error("--base REV is required: the revision to compare the working tree with");
const RUNTIME = flag("runtime", "bun");
const CASES = flag("cases", "allhooks,oneplugin").split(",");
const REPEAT = Number(flag("repeat", "3"));
const DURATION = Number(flag("duration", "3"));
const CONNECTIONS = Number(flag("connections", "50"));
const UPSTREAM_PORT = 18191;
const GATEWAY_PORT = 18192;
const TICK_US = 1e6 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));

/** The base revision's checkout, with node_modules shared and its shim built. */
function checkout(rev: string): string {
  const sha = execFileSync("git", ["rev-parse", "--short", rev], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
  const dir = join(REPO_ROOT, "build", "ab", sha);
  if (!existsSync(dir)) {
    mkdirSync(join(REPO_ROOT, "build", "ab"), { recursive: true });
    execFileSync("git", ["worktree", "add", "--detach", dir, sha], { cwd: REPO_ROOT, stdio: "ignore" });
    symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"));
  }
  execFileSync(join(REPO_ROOT, "node_modules/.bin/deno"), ["run", "-A", "scripts/build-shim.ts"], { cwd: dir, stdio: "ignore" });
  return dir;
}

/** CPU time (µs) the process has used, and its main (JavaScript) thread. */
function cpu(pid: number): { all: number; main: number } {
  const ticks = (stat: string) => {
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * TICK_US; // utime, stime
  };
  return { all: ticks(readFileSync(`/proc/${pid}/stat`, "utf8")), main: ticks(readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8")) };
}

interface Sample {
  rps: number;
  cpuPerReq: number;
  mainPerReq: number;
}

async function measure(root: string, conf: string, path: string): Promise<Sample> {
  const cmd = RUNTIME === "deno"
    ? [join(REPO_ROOT, "node_modules/.bin/deno"), "run", "-A", "--unstable-no-legacy-abort", join(root, "src/main.ts")]
    : [join(REPO_ROOT, "node_modules/.bin/bun"), join(root, "src/main.ts")];
  const gw = spawn(cmd[0], [...cmd.slice(1), "--conf", conf], { stdio: "ignore" });
  try {
    const base = `http://127.0.0.1:${GATEWAY_PORT}`;
    await waitFor(`${base}/hello`);
    const url = `${base}/${path}/`;
    const opts = { duration: 1, connections: CONNECTIONS, headers: ["Authorization: abc"] };
    wrk("warm-up", url, opts);
    const before = cpu(gw.pid!);
    const row = wrk(path, url, { ...opts, duration: DURATION });
    const after = cpu(gw.pid!);
    return { rps: row.rps, cpuPerReq: (after.all - before.all) / row.requests, mainPerReq: (after.main - before.main) / row.requests };
  } finally {
    gw.kill("SIGTERM");
    await new Promise((r) => gw.on("exit", r));
  }
}

ensureWrk();
const baseRoot = checkout(BASE);
const plugins = await buildTestPlugins(openShim(await loadRuntime()));
const upstream = await startBenchUpstream(UPSTREAM_PORT);
const dir = mkdtempSync(join(tmpdir(), "tykgw-bench-ab-"));
writeBenchApis(dir, `http://127.0.0.1:${UPSTREAM_PORT}/`, plugins);
const conf = join(dir, "tyk.conf");
writeFileSync(conf, JSON.stringify({ listen_port: GATEWAY_PORT, secret: "bench", app_path: "./apps/", log_level: "warn", hash_keys: true }));

const builds: Array<[string, string]> = [[`base ${BASE}`, baseRoot], ["working tree", REPO_ROOT]];
const samples = new Map<string, Sample[]>();
for (let r = 0; r < REPEAT; r++) {
  for (const c of CASES) {
    for (const [name, root] of builds) {
      const key = `${c}\t${name}`;
      samples.set(key, [...(samples.get(key) ?? []), await measure(root, conf, c)]);
    }
  }
}
upstream.kill();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`\n${RUNTIME}, wrk -t2 -c${CONNECTIONS} -d${DURATION}s, medians of ${REPEAT} interleaved runs, ${new Date().toISOString()}`);
console.log("| case | build | req/s | CPU µs/request | JS thread µs/request |\n| --- | --- | ---: | ---: | ---: |");
for (const c of CASES) {
  const m = builds.map(([name]) => {
    const s = samples.get(`${c}\t${name}`)!;
    return { name, rps: median(s.map((x) => x.rps)), cpu: median(s.map((x) => x.cpuPerReq)), main: median(s.map((x) => x.mainPerReq)) };
  });
  for (const x of m) console.log(`| ${c} | ${x.name} | ${x.rps.toFixed(0)} | ${x.cpu.toFixed(0)} | ${x.main.toFixed(0)} |`);
  console.log(`| ${c} | working tree / base | ${(m[1].rps / m[0].rps).toFixed(2)} | ${(m[1].cpu / m[0].cpu).toFixed(2)} | ${(m[1].main / m[0].main).toFixed(2)} |`);
}
process.exit(0);
