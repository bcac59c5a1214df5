// Throughput and latency of the gateway, measured with wrk on loopback:
//   deno run -A scripts/bench.ts [--duration 10] [--connections 50] [--repeat 1] [--workers 1,2]
//                                [--rate 1000] [--latency-duration 10]
// Rows: the upstream alone; the gateway proxying a keyless API with no plugin,
// with one header-adding `pre` plugin, and with all five hooks; under Deno and
// under Bun, with each number of workers (plugin_gateway.workers) given. wrk
// is installed from Debian's packages when missing. Everything shares this
// machine's cores, so read the ratios, not the absolute numbers.
//
// Then latency at a constant rate (--rate req/s, with vegeta, which sends on
// schedule whatever the answers do, unlike wrk's closed loop): the upstream
// alone, and the gateway with no plugin and with one plugin, one worker; each
// row says how much the gateway adds to the upstream's p99. --rate 0 skips it.
// vegeta is built with `go install` into build/tools when missing.

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { loadRuntime } from "../src/runtime/index.ts";
import { goEnv, REPO_ROOT } from "../src/shim/build.ts";
import { openShim } from "../src/shim/open.ts";
import { buildTestPlugins } from "../test/helpers/plugins.ts";
import { ensureWrk, type Row, startBenchUpstream, waitFor, wrk as wrkRun, writeBenchApis } from "./bench-lib.ts";


const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const DURATION = arg("duration", 10);
const CONNECTIONS = arg("connections", 50);
const wrk = (name: string, url: string, headers: string[] = []): Row => wrkRun(name, url, { duration: DURATION, connections: CONNECTIONS, headers });
// This machine's throughput drifts by up to 2x between runs: with --repeat N the cases of one gateway are measured
// N times in turn (interleaved, so drift hits each alike) and each row is the run with the median req/s.
const REPEAT = arg("repeat", 1);
const WORKERS = (process.argv.includes("--workers") ? process.argv[process.argv.indexOf("--workers") + 1] : "1")
  .split(",").map(Number);
const RATE = arg("rate", 1000);
const LATENCY_DURATION = arg("latency-duration", 10);
const UPSTREAM_PORT = 18181;
const GATEWAY_PORT = 18182;

/** vegeta (a constant-rate load generator), built with go install into build/tools when missing. */
function ensureVegeta(): string {
  const bin = join(REPO_ROOT, "build", "tools", "vegeta");
  if (existsSync(bin)) return bin;
  console.error("building vegeta (go install github.com/tsenart/vegeta/v12@v12.13.0)");
  execFileSync("go", ["install", "github.com/tsenart/vegeta/v12@v12.13.0"], {
    env: { ...goEnv(), GOBIN: dirname(bin) },
    stdio: "inherit",
  });
  return bin;
}

ensureWrk();
const runtime = await loadRuntime();
const shim = openShim(runtime);
const plugins = await buildTestPlugins(shim);

const upstream = await startBenchUpstream(UPSTREAM_PORT);
const target = `http://127.0.0.1:${UPSTREAM_PORT}/`;

const dir = mkdtempSync(join(tmpdir(), "tykgw-bench-"));
writeBenchApis(dir, target, plugins);
const REDIS_PORT = 18183;
const writeConf = (file: string, extra: Record<string, unknown>) =>
  writeFileSync(join(dir, file), JSON.stringify({
    listen_port: GATEWAY_PORT,
    secret: "bench",
    app_path: "./apps/",
    log_level: "warn",
    hash_keys: true,
    ...extra,
    ...(process.env.BENCH_CONF ? JSON.parse(process.env.BENCH_CONF) : {}),
  }));
for (const n of WORKERS) {
  writeConf(`tyk-w${n}.conf`, { plugin_gateway: { workers: n } });
  writeConf(`tyk-redis-w${n}.conf`, { storage: { type: "redis", host: "127.0.0.1", port: REDIS_PORT }, plugin_gateway: { workers: n } });
}

/** A key on the keyed API whose rate limit is checked on every request but never reached. */
async function benchKey(base: string): Promise<string> {
  const res = await fetch(`${base}/tyk/keys`, {
    method: "POST",
    headers: { "x-tyk-authorization": "bench" },
    body: JSON.stringify({ org_id: "bench", rate: 1e9, per: 1, quota_max: -1, access_rights: { keyed: { api_id: "keyed", versions: ["Default"] } } }),
  });
  return (await res.json()).key;
}

const rows: Row[] = [wrk("upstream alone", target)];
const only = process.env.BENCH_RUNTIME;
const runtimes: Array<[string, string[]]> = ([
  ["deno", [join(REPO_ROOT, "node_modules/.bin/deno"), "run", "-A", "--unstable-no-legacy-abort", join(REPO_ROOT, "src/main.ts")]],
  ["bun", [join(REPO_ROOT, "node_modules/.bin/bun"), join(REPO_ROOT, "src/main.ts")]],
] as Array<[string, string[]]>).filter(([name]) => !only || name === only);

/** Runs each case REPEAT times in turn; per case, the run with the median req/s. */
function interleaved(cases: Array<() => Row>): Row[] {
  const runs: Row[][] = cases.map(() => []);
  for (let r = 0; r < REPEAT; r++) cases.forEach((c, i) => runs[i].push(c()));
  return runs.map((rs) => rs.sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)]);
}

async function withGateway(cmd: string[], conf: string, fn: (base: string) => void | Promise<void>): Promise<void> {
  const gw = spawn(cmd[0], [...cmd.slice(1), "--conf", join(dir, conf)], { stdio: "ignore", cwd: dir });
  const base = `http://127.0.0.1:${GATEWAY_PORT}`;
  try {
    await waitFor(`${base}/hello`);
    await fn(base);
  } finally {
    gw.kill("SIGTERM");
    await new Promise((r) => gw.on("exit", r));
  }
}

// Rows are named "<runtime>: ..." for one worker, "<runtime> xN: ..." for N workers.
const label = (runtime: string, workers: number) => (workers === 1 ? runtime : `${runtime} x${workers}`);
for (const [rt, cmd] of runtimes) for (const n of WORKERS) {
  const name = label(rt, n);
  await withGateway(cmd, `tyk-w${n}.conf`, async (base) => {
    // Warm up: JIT, connection pools, and the shim's workers.
    wrk("warm-up", `${base}/allhooks/`, ["Authorization: abc"]);
    const key = await benchKey(base);
    rows.push(...interleaved([
      () => wrk(`${name}: keyless, no plugin`, `${base}/noplugin/`),
      () => wrk(`${name}: one pre plugin (adds a header)`, `${base}/oneplugin/`),
      () => wrk(`${name}: all five hooks`, `${base}/allhooks/`, ["Authorization: abc"]),
      () => wrk(`${name}: keyed, rate limit (embedded store)`, `${base}/keyed/`, [`Authorization: ${key}`]),
    ]));
  });
}
// The same keyed API with the key store and rate limits on Redis (Debian's redis-server).
const redis = spawn("redis-server", ["--port", String(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
try {
  for (const [rt, cmd] of runtimes) for (const n of WORKERS) {
    await withGateway(cmd, `tyk-redis-w${n}.conf`, async (base) => {
      rows.push(wrk(`${label(rt, n)}: keyed, rate limit (redis)`, `${base}/keyed/`, [`Authorization: ${await benchKey(base)}`]));
    });
  }
} finally {
  redis.kill();
}

interface LatencyRow {
  name: string;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
const latencyRows: LatencyRow[] = [];
if (RATE > 0) {
  const vegetaBin = ensureVegeta();
  const attack = (name: string, url: string): LatencyRow => {
    const results = execFileSync(vegetaBin, ["attack", `-rate=${RATE}/s`, `-duration=${LATENCY_DURATION}s`, "-keepalive=true"], {
      input: `GET ${url}\n`,
      maxBuffer: 1 << 30,
    });
    const report = JSON.parse(execFileSync(vegetaBin, ["report", "-type=json"], { input: results, encoding: "utf8" }));
    if (report.success !== 1) throw new Error(`${name}: only ${(report.success * 100).toFixed(2)}% answered 2xx (${JSON.stringify(report.status_codes)})`);
    const ms = (ns: number) => ns / 1e6;
    const l = report.latencies;
    return { name, p50: ms(l["50th"]), p90: ms(l["90th"]), p99: ms(l["99th"]), max: ms(l.max) };
  };
  latencyRows.push(attack("upstream alone", target));
  for (const [rt, cmd] of runtimes) {
    await withGateway(cmd, "tyk-w1.conf", (base) => {
      wrk("warm-up", `${base}/oneplugin/`);
      latencyRows.push(attack(`${rt}: keyless, no plugin`, `${base}/noplugin/`));
      latencyRows.push(attack(`${rt}: one pre plugin (adds a header)`, `${base}/oneplugin/`));
    });
  }
}
upstream.kill();

const byName = new Map(rows.map((r) => [r.name, r]));
const ratio = (a: string, b: string) => (byName.get(a)!.rps / byName.get(b)!.rps * 100).toFixed(0) + "%";
console.log(`\nwrk -t2 -c${CONNECTIONS} -d${DURATION}s on loopback${REPEAT > 1 ? `, median of ${REPEAT} interleaved runs` : ""}, ${new Date().toISOString()}`);
console.log("| case | req/s | p50 | p99 |\n| --- | ---: | ---: | ---: |");
for (const r of rows) console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} |`);
const shown = ["deno", "bun"].filter((r) => !only || r === only);
for (const rt of shown) for (const n of WORKERS) {
  const l = label(rt, n);
  console.log(`${l}: no plugin vs upstream alone ${ratio(`${l}: keyless, no plugin`, "upstream alone")}; one plugin vs no plugin ${ratio(`${l}: one pre plugin (adds a header)`, `${l}: keyless, no plugin`)}; all hooks vs no plugin ${ratio(`${l}: all five hooks`, `${l}: keyless, no plugin`)}; keyed (embedded store) vs no plugin ${ratio(`${l}: keyed, rate limit (embedded store)`, `${l}: keyless, no plugin`)}`);
  if (n !== WORKERS[0]) {
    const base = label(rt, WORKERS[0]);
    console.log(`${l} vs ${base}, no plugin: ${ratio(`${l}: keyless, no plugin`, `${base}: keyless, no plugin`)}; one plugin: ${ratio(`${l}: one pre plugin (adds a header)`, `${base}: one pre plugin (adds a header)`)}`);
  }
}
if (!only) {
  for (const n of WORKERS) {
    const [d, b] = [label("deno", n), label("bun", n)];
    console.log(`${d} vs ${b}, no plugin: ${ratio(`${d}: keyless, no plugin`, `${b}: keyless, no plugin`)}; one plugin: ${ratio(`${d}: one pre plugin (adds a header)`, `${b}: one pre plugin (adds a header)`)}`);
  }
}
if (latencyRows.length > 0) {
  const upstreamP99 = latencyRows[0].p99;
  const f = (v: number) => `${v.toFixed(2)}ms`;
  console.log(`\nconstant rate: vegeta attack -rate=${RATE}/s -duration=${LATENCY_DURATION}s -keepalive=true, one worker`);
  console.log("| case | p50 | p90 | p99 | max | p99 added to the upstream's |\n| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const r of latencyRows) {
    const added = r === latencyRows[0] ? "" : f(r.p99 - upstreamP99);
    console.log(`| ${r.name} | ${f(r.p50)} | ${f(r.p90)} | ${f(r.p99)} | ${f(r.max)} | ${added} |`);
  }
}
process.exit(0);
