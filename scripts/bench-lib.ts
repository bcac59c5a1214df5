// What the benchmark scripts share: wrk (and redis-server) installed when missing, the Go upstream, the bench's
// API definitions, and one wrk run read back as a row.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { goEnv, REPO_ROOT } from "../src/shim/build.ts";
import type { PluginPaths } from "../test/helpers/plugins.ts";

/** Installs wrk and redis-server from Debian's packages when missing. */
export function ensureWrk(): void {
  if (spawnSync("redis-server", ["--version"]).error !== undefined) {
    console.error("installing redis-server (apt-get install redis-server)");
    execFileSync("sh", ["-c", "(apt-get install -y redis-server || (apt-get update && apt-get install -y redis-server)) >/dev/null"], { stdio: "inherit" });
  }
  if (spawnSync("wrk", ["--version"]).error === undefined) return;
  console.error("installing wrk (apt-get install wrk)");
  execFileSync("sh", ["-c", "(apt-get install -y wrk || (apt-get update && apt-get install -y wrk)) >/dev/null"], { stdio: "inherit" });
}

export interface Row {
  name: string;
  rps: number;
  /** Requests completed in the run. */
  requests: number;
  p50: string;
  p99: string;
}

/** One `wrk -t2 -c<connections> -d<duration>s` run; throws when any answer is not 2xx/3xx. */
export function wrk(name: string, url: string, opts: { duration: number; connections: number; headers?: string[] }): Row {
  const args = ["-t2", `-c${opts.connections}`, `-d${opts.duration}s`, "--latency", ...(opts.headers ?? []).flatMap((h) => ["-H", h]), url];
  const out = execFileSync("wrk", args, { encoding: "utf8" });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const p50 = /\s50%\s+(\S+)/.exec(out)?.[1] ?? "?";
  const p99 = /\s99%\s+(\S+)/.exec(out)?.[1] ?? "?";
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (errors) throw new Error(`${name}: ${errors[1]} error responses from ${url}`);
  return { name, rps, requests, p50, p99 };
}

/** Resolves once `url` answers (30 s at most). */
export async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(url).then((r) => r.text());
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not come up`);
}

/** Builds and starts the Go upstream (scripts/bench-upstream) on 127.0.0.1:`port`. */
export async function startBenchUpstream(port: number): Promise<ChildProcess> {
  const bin = join(REPO_ROOT, "build", "bench-upstream");
  execFileSync("go", ["build", "-o", bin, "."], { cwd: join(REPO_ROOT, "scripts", "bench-upstream"), env: goEnv() });
  const upstream = spawn(bin, [`127.0.0.1:${port}`], { stdio: "ignore" });
  await waitFor(`http://127.0.0.1:${port}/`);
  return upstream;
}

/**
 * The bench's APIs in `dir`/apps, proxying to `target`: noplugin, oneplugin (a header-adding pre hook), allhooks
 * (auth_check setting a session, pre, post_key_auth, post, response; send `Authorization: abc`) and keyed
 * (standard auth).
 */
export function writeBenchApis(dir: string, target: string, plugins: PluginPaths): void {
  mkdirSync(join(dir, "apps"), { recursive: true });
  const api = (id: string, extra: Record<string, unknown>) =>
    writeFileSync(join(dir, "apps", `${id}.json`), JSON.stringify({
      api_id: id,
      name: id,
      org_id: "bench",
      use_keyless: true,
      proxy: { listen_path: `/${id}/`, target_url: target, strip_listen_path: true },
      ...extra,
    }));
  api("noplugin", {});
  api("oneplugin", { custom_middleware: { driver: "goplugin", pre: [{ name: "AddFooBarHeader", path: plugins.addheader }] } });
  api("allhooks", {
    use_keyless: false,
    use_go_plugin_auth: true,
    custom_middleware: {
      driver: "goplugin",
      pre: [{ name: "AddFooBarHeader", path: plugins.addheader }],
      auth_check: { name: "MyPluginAuthCheck", path: plugins.authcheck },
      post_key_auth: [{ name: "ShowSession", path: plugins.session }],
      post: [{ name: "Noop", path: plugins.addheader }],
      response: [{ name: "UpperStatus", path: plugins.respbody }],
    },
  });
  api("keyed", { use_keyless: false, use_standard_auth: true });
}
