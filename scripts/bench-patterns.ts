// Endpoint path patterns: what one match costs with re2js (what the gateway
// uses), with JavaScript's RegExp (backtracking: only where it terminates),
// and the floor of doing it in Go instead (one empty call into the shim,
// before the string crosses and Go matches; Go's own match:
// `go test -bench` on regexp.MatchString, 0.2-2.4 µs for these cases here).
//   deno run -A scripts/bench-patterns.ts      or      bun scripts/bench-patterns.ts
import { compileTykPathPattern } from "../src/config/api-definition.ts";
import { loadRuntime } from "../src/runtime/index.ts";
import { openShim } from "../src/shim/open.ts";

const cases: Array<[pattern: string, path: string, jsSafe: boolean]> = [
  ["/users/{id}", "/users/12345", true],
  ["^/api/v1/orders/{id}/items$", "/api/v1/orders/abc/items", true],
  ["/virtual", "/some/long/path/that/does/not/match/anything/here", true],
  ["/(a+)+$", `/${"a".repeat(30)}!`, false],
  ["/(x|xx)+y$", `/${"x".repeat(5000)}z`, false],
];

function nsPer(n: number, f: () => void): number {
  for (let i = 0; i < Math.min(n, 1000); i++) f();
  const t = performance.now();
  for (let i = 0; i < n; i++) f();
  return ((performance.now() - t) * 1e6) / n;
}

for (const [pattern, path, jsSafe] of cases) {
  const p = compileTykPathPattern(pattern);
  const n = path.length > 1000 ? 200 : 200_000;
  const re2 = nsPer(n, () => p.test(path)).toFixed(0);
  const jsRe = new RegExp(p.source);
  const js = jsSafe ? `${nsPer(n, () => jsRe.test(path)).toFixed(0)} ns` : "(backtracks: does not end in useful time)";
  console.log(`${JSON.stringify(pattern)} on ${path.length} chars: re2js ${re2} ns, RegExp ${js}`);
}

const shim = openShim(await loadRuntime(), {});
console.log(`one empty call into Go (shim_abi_version): ${nsPer(1_000_000, () => shim.abiVersion()).toFixed(0)} ns`);
