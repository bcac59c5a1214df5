// Runs the real gateway process (under the runtime the tests run on) on a
// temporary tyk.conf and app_path, and collects its JSON log lines.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../src/shim/build.ts";
import { runtime } from "./shim.ts";

export interface GatewayProcess {
  url: string;
  port: number;
  /** The gateway's own process id (not the shell's that started it). */
  pid: number;
  dir: string;
  appPath: string;
  logs: Array<Record<string, unknown>>;
  stderr: string;
  proc: ChildProcess;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Waits for a log line matching the predicate. */
  waitForLog(pred: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export const SECRET = "test-secret";

// Gateways still running when the test process exits (a test that timed out
// never reaches its after()) are killed, so none outlive the run.
const running = new Set<number>();
process.on("exit", () => {
  for (const pid of running) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

export function gatewayCommand(): [string, string[]] {
  const bin = (n: string) => join(REPO_ROOT, "node_modules", ".bin", n);
  const main = join(REPO_ROOT, "src", "main.ts");
  if (process.env.TYKGW_BINARY) return [process.env.TYKGW_BINARY, []];
  return runtime.name === "bun" ? [bin("bun"), [main]] : [bin("deno"), ["run", "-A", "--unstable-no-legacy-abort", main]];
}

/** Writes a config directory; `apis` are written as app_path/<api_id>.json (or raw strings by file name). */
export function writeConfig(conf: Record<string, unknown>, apis: Array<Record<string, unknown>>, files: Record<string, string> = {}): { dir: string; confPath: string; appPath: string } {
  const dir = mkdtempSync(join(tmpdir(), "tykgw-e2e-"));
  const appPath = join(dir, "apps");
  mkdirSync(appPath);
  for (const api of apis) writeFileSync(join(appPath, `${api.api_id}.json`), JSON.stringify(api, null, 2));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(appPath, name), text);
  const confPath = join(dir, "tyk.conf");
  writeFileSync(confPath, JSON.stringify({ listen_port: 0, secret: SECRET, app_path: "./apps/", log_level: "debug", ...conf }, null, 2));
  return { dir, confPath, appPath };
}

export interface ProcessOptions {
  /** The gateway's limit of open file descriptors (`ulimit -n`, soft and hard). */
  nofile?: number;
}

export async function startGatewayProcess(
  conf: Record<string, unknown>,
  apis: Array<Record<string, unknown>>,
  files: Record<string, string> = {},
  extraArgs: string[] = [],
  options: ProcessOptions = {},
): Promise<GatewayProcess> {
  const { dir, confPath, appPath } = writeConfig(conf, apis, files);
  const [cmd, args] = gatewayCommand();
  // Through sh, which reports the gateway's real exit status: Deno's
  // child_process reports a child that handled SIGTERM and exited 0 as
  // killed by SIGTERM. Signals go to the gateway's own pid (from its logs).
  const limit = options.nofile ? `ulimit -n ${options.nofile}; ` : "";
  const proc = spawn("/bin/sh", ["-c", `${limit}"$@"; echo "exit-status=$?" >&2`, "sh", cmd, ...args, "--conf", confPath, ...extraArgs], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Array<Record<string, unknown>> = [];
  const waiters: Array<{ pred: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];
  let buf = "";
  let stderr = "";
  proc.stdout!.on("data", (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line);
      } catch {
        rec = { msg: line, nonJson: true };
      }
      logs.push(rec);
      for (const w of [...waiters]) {
        if (w.pred(rec)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(rec);
        }
      }
    }
  });
  proc.stderr!.on("data", (c) => (stderr += c));
  const exited = new Promise<number | null>((r) =>
    proc.on("exit", () => {
      const m = /exit-status=(\d+)/.exec(stderr);
      r(m ? Number(m[1]) : null);
    })
  );
  const waitForLog = (pred: (l: Record<string, unknown>) => boolean, timeoutMs = 30_000) => {
    const found = logs.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr:\n${stderr}\nlogs:\n${logs.map((l) => JSON.stringify(l)).join("\n")}`)), timeoutMs);
      waiters.push({ pred, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      exited.then((code) => reject(new Error(`gateway exited (${code}) before the log line; stderr:\n${stderr}\nlogs:\n${logs.map((l) => JSON.stringify(l)).join("\n")}`)));
    });
  };
  const listening = await waitForLog((l) => typeof l.msg === "string" && l.msg.startsWith("gateway listening"));
  const port = Number(listening.port);
  const pid = Number(listening.pid);
  running.add(pid);
  exited.then(() => running.delete(pid));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid,
    dir,
    appPath,
    logs,
    get stderr() {
      return stderr;
    },
    proc,
    waitForLog,
    stop: (signal = "SIGTERM") => {
      if (proc.exitCode === null) {
        try {
          process.kill(Number(listening.pid), signal);
        } catch {
          // already gone
        }
      }
      return exited;
    },
  };
}

/** Runs the gateway expecting it to exit (bad config); resolves with code and output. */
export function runGatewayToExit(confPath: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [cmd, args] = gatewayCommand();
  const proc = spawn(cmd, [...args, "--conf", confPath], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "";
  proc.stdout!.on("data", (c) => (stdout += c));
  proc.stderr!.on("data", (c) => (stderr += c));
  const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000);
  return new Promise((r) => proc.on("exit", (code) => (clearTimeout(timer), r({ code, stdout, stderr }))));
}

export function keylessApi(id: string, listenPath: string, target: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    api_id: id,
    name: `API ${id}`,
    org_id: "default",
    active: true,
    use_keyless: true,
    proxy: { listen_path: listenPath, target_url: target, strip_listen_path: true },
    ...extra,
  };
}

/** A definition's version_data with Go virtual endpoints (extended_paths.go_plugin) on its one Default version. */
export function goVirtualEndpoints(entries: Array<Record<string, unknown>>): Record<string, unknown> {
  return {
    version_data: {
      not_versioned: true,
      versions: { Default: { name: "Default", use_extended_paths: true, extended_paths: { go_plugin: entries } } },
    },
  };
}
