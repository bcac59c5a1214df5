// The whole test command: builds the shim and the test plugins once, runs
// every suite under Deno and under Bun, and ends with one plain line
// `N passed, N failed` summing them all.

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { buildTestPlugins } from "../test/helpers/plugins.ts";
import { openShim } from "../src/shim/open.ts";
import { loadRuntime } from "../src/runtime/index.ts";
import { REPO_ROOT } from "../src/shim/build.ts";

const bin = (name: string) => join(REPO_ROOT, "node_modules", ".bin", name);
const log = (m: string) => console.log(`[test] ${m}`);

const t0 = Date.now();
// The Redis suites run against a real redis-server (Debian's package): install it when missing.
if (spawnSync("redis-server", ["--version"]).error !== undefined) {
  log("installing redis-server (apt-get install redis-server)");
  spawnSync("sh", ["-c", "apt-get install -y redis-server || (apt-get update && apt-get install -y redis-server)"], { stdio: "inherit" });
}
const shim = openShim(await loadRuntime(), { log });
await buildTestPlugins(shim, log);
log(`shim and test plugins ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);

const filter = process.argv.slice(2);
const goSuite = (dir: string) => ({
  name: `go (${dir})`,
  cwd: join(REPO_ROOT, dir),
  cmd: "go",
  args: ["test", "-v", "./..."],
  parse: (out: string): [number, number] => [count(out, /^\s*--- PASS/gm), count(out, /^\s*--- FAIL/gm)],
});

const bunParse = (out: string): [number, number] => {
  const p = /^\s*(\d+) pass/m.exec(out);
  const f = /^\s*(\d+) fail/m.exec(out);
  return p ? [Number(p[1]), Number(f?.[1] ?? 0)] : [0, 1];
};

type Suite = { name: string; cwd?: string; env?: Record<string, string>; cmd: string; args: string[]; parse: (out: string) => [number, number] };
const suites: Suite[] = [
  goSuite("shim-go"),
  goSuite("shim-go/tyk"),
  {
    name: "deno",
    cmd: bin("deno"),
    args: ["test", "-A", "--no-check", ...(filter.length ? filter : ["test/"])],
    parse: (out) => {
      const m = /(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/.exec(out);
      return m ? [Number(m[1]), Number(m[2])] : [0, 1];
    },
  },
  {
    name: "bun",
    cmd: bin("bun"),
    args: ["test", "--timeout", "60000", ...(filter.length ? filter.map((f) => `./${f}`) : ["./test/"])],
    parse: bunParse,
  },
];
if (filter.length === 0) {
  // The end-to-end suite once more, against the single executable (built, or
  // reused when up to date, by the exe tests above and checked again here).
  const exe = join(REPO_ROOT, "dist", "gateway");
  suites.push(
    { name: "build dist/gateway", cmd: bin("deno"), args: ["run", "-A", "scripts/build-exe.ts"], parse: () => [0, 0] },
    { name: "e2e on dist/gateway", env: { TYKGW_BINARY: exe }, cmd: bin("bun"), args: ["test", "--timeout", "60000", "./test/e2e/", "./test/security/"], parse: bunParse },
  );
}

function count(s: string, re: RegExp): number {
  return (s.match(re) ?? []).length;
}

let passed = 0, failed = 0;
for (const s of suites) {
  log(`suite ${s.name}: ${s.cmd} ${s.args.join(" ")}`);
  const res = spawnSync(s.cmd, s.args, { cwd: s.cwd ?? REPO_ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...s.env }, maxBuffer: 256 << 20 });
  const out = `${res.stdout ?? ""}${res.stderr ?? ""}`;
  process.stdout.write(out);
  let [p, f] = s.parse(out);
  if (res.status !== 0 && f === 0) f = 1; // a crashed runner counts as a failure
  log(`suite ${s.name}: ${p} passed, ${f} failed`);
  passed += p;
  failed += f;
}
log(`total time ${((Date.now() - t0) / 1000).toFixed(1)}s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
