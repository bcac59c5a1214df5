// The supervisor (plugin_gateway.workers > 1): a small process that loads no plugin and serves no request. It starts
// the workers (this gateway again, each with its own shim and plugins, all listening on one port with SO_REUSEPORT),
// restarts any that dies, and is what the operator talks to: signals, the one "gateway listening" line, one log.
//
//   - Logs: each worker's stdout and stderr come through pipes and are written out whole lines at a time, by this one
//     process, so records of different workers never interleave (a pipe write is atomic only up to PIPE_BUF, 4 KiB,
//     and plugin records go up to 16 KiB).
//   - Analytics file: workers hand their batches of lines over the IPC channel and this process is the file's only
//     writer (AppendFile: one append at a time), so no record is split, interleaved, or written twice.
//   - Reloads and metrics: a worker's /tyk/reload and /tyk/metrics come here and go to every worker; SIGHUP too.
//   - Keys, sessions, rate limits and quotas: the workers share a SQLite file in a directory private to this run
//     (Redis, when configured, as before).
//   - A worker that dies, whatever the cause (a plugin's os.Exit, log.Fatal, a panic in its own goroutine, a signal),
//     is logged with its exit code or signal, the plugin calls it was in (its shim marks each call in a file in
//     shared memory, call-slots.ts), and its last words on stderr, and started again at once; one that keeps
//     dying soon after starting is started again after a growing pause, and said to keep dying. Requests in flight on
//     it fail; the other workers, and their requests, are not touched.
//   - SIGTERM or SIGINT: every worker stops as one process does (no new connections, requests in flight finish within
//     graceful_shutdown_timeout_duration), then the supervisor closes the analytics file and exits 0.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import pino from "pino";
import { AppendFile } from "../analytics/sink.ts";
import { resolvePaths, type TykConf } from "../config/tyk-conf.ts";
import { createLogger, type Logger } from "../log.ts";
import { mergeSnapshots, type MetricsSnapshot } from "../metrics/index.ts";
import type { LoadReport } from "../registry/index.ts";
import type { Runtime } from "../runtime/index.ts";
import { initSqliteStore } from "../store/sqlite.ts";
import { GATEWAY_VERSION } from "../version.ts";
import { CALL_SLOTS_ENV, readCallSlots } from "./call-slots.ts";
import { Channel, type IpcEnd } from "./channel.ts";
import { Protocol, WORKER_ENV, type WorkerEnv } from "./protocol.ts";

/** plugin_gateway.workers as a number: "auto" is one per core the process may use. */
export function workerCount(setting: number | "auto"): number {
  return setting === "auto" ? availableParallelism() : setting;
}

/** A worker that ran this long before dying is started again at once; one dying sooner counts as a quick death. */
const STABLE_MS = 10_000;
/** After the second quick death in a row, the pause before the next start doubles from 1 s up to this. */
const MAX_BACKOFF_MS = 30_000;
/** How much of a worker's stderr is kept, for the log line when it dies (Go's crash report, log.Fatal's message). */
const STDERR_KEPT = 4096;
/** A worker that has not answered a metrics call by then is left out of that answer. */
const METRICS_TIMEOUT_MS = 5000;
/** After the grace period, workers still running get this long to exit before SIGKILL. */
const KILL_AFTER_GRACE_MS = 5000;
/** A line longer than this without a newline is passed on as it is (a worker must not make us hold unbounded text). */
const MAX_PENDING_LINE = 1 << 20;

/** Store directories are named after the supervisor's pid, so that one left by a supervisor killed outright is found. */
const STORE_DIR_PREFIX = "tykgw-";

/** Removes store directories whose supervisor is gone (SIGKILL leaves them; on a tmpfs they hold memory). */
function removeOrphans(parent: string, log: Logger): void {
  for (const name of readdirSync(parent)) {
    const pid = Number(/^tykgw-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    log.info({ dir: join(parent, name) }, "removed the store of a gateway that is gone");
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** The pause before starting a worker again after `quickDeaths` deaths in a row soon after starting. */
export function restartDelayMs(quickDeaths: number): number {
  return quickDeaths <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (quickDeaths - 2));
}

export interface SupervisorOptions {
  /** --dev: passed on to the workers (worker 0 watches and rebuilds for all). */
  dev?: boolean;
}

interface Worker {
  readonly index: number;
  child?: ChildProcess;
  channel?: Channel;
  ready: boolean;
  startedAt: number;
  /** Deaths in a row, each within STABLE_MS of its start. */
  quickDeaths: number;
  restartTimer?: ReturnType<typeof setTimeout>;
  stderrTail: string;
  /** Settles when the current process has exited and its pipes and channel are drained. */
  gone: Promise<void>;
}

/** Passes text on whole lines at a time; the rest waits for its newline (or the process's end). */
class LineRelay {
  #pending = "";
  constructor(private readonly write: (text: string) => void) {}

  push(chunk: string): void {
    const text = this.#pending + chunk;
    const end = text.lastIndexOf("\n");
    if (end < 0 && text.length <= MAX_PENDING_LINE) {
      this.#pending = text;
      return;
    }
    const cut = end < 0 ? text.length : end + 1;
    this.write(end < 0 ? `${text}\n` : text.slice(0, cut));
    this.#pending = text.slice(cut);
  }

  end(): void {
    if (this.#pending !== "") this.write(`${this.#pending}\n`);
    this.#pending = "";
  }
}

/**
 * The end of a worker's stderr worth logging when it dies: Go's last report if there is one ("panic: ..." or
 * "fatal error: ...", then the goroutine that failed: for a panic in a plugin's own goroutine, the hook that started
 * it), else the last lines (log.Fatal's message).
 */
function lastWords(tail: string): string | undefined {
  const report = [...tail.matchAll(/^(?:panic|fatal error): .*\n(?:.*\n)*?goroutine \d+ \[/gm)].at(-1);
  const words = (report ? tail.slice(report.index) : tail.trimEnd().split("\n").slice(-3).join("\n")).trim();
  return words === "" ? undefined : words.slice(0, 2048);
}

/** Runs the supervisor until SIGTERM or SIGINT; resolves with the exit code. */
export async function runSupervisor(
  runtime: Runtime,
  confPath: string,
  conf: TykConf,
  count: number,
  opts: SupervisorOptions = {},
): Promise<number> {
  // One writer per stream: the supervisor's own records and the workers' lines go through the same synchronous
  // destination, so nothing interleaves within a line.
  const stdout = pino.destination({ dest: 1, sync: true });
  const stderr = pino.destination({ dest: 2, sync: true });
  const log: Logger = createLogger(conf.log_level, { supervisor: true }, stdout);
  const paths = resolvePaths(conf, confPath);
  // Private to this run: the embedded store lives (and dies) with the gateway, as the in-process store does. On a
  // tmpfs when there is one: the file is only shared memory between the workers.
  const parent = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  removeOrphans(parent, log);
  const dir = mkdtempSync(join(parent, `${STORE_DIR_PREFIX}${process.pid}-`));
  const store = conf.storage.type === "embedded" ? join(dir, "store.db") : "";
  if (store) initSqliteStore(store);
  // With Redis, workers send analytics to Redis themselves; the file has one writer: this process.
  const analytics = conf.enable_analytics && conf.storage.type !== "redis"
    ? new AppendFile(paths.analytics_file)
    : undefined;
  const host = conf.listen_address || "0.0.0.0";
  let port = conf.listen_port;
  let restarts = 0;
  let stopping = false;
  let starting = true;
  const workers: Worker[] = Array.from({ length: count }, (_, index) => ({
    index,
    ready: false,
    startedAt: 0,
    quickDeaths: 0,
    stderrTail: "",
    gone: Promise.resolve(),
  }));

  const serving = () => workers.filter((w) => w.ready && w.channel);

  /** Reloads every serving worker; the reports by worker index. */
  async function reloadAll(): Promise<Map<number, LoadReport>> {
    const live = serving();
    const results = await Promise.allSettled(live.map((w) => w.channel!.call("reload", {}, Protocol.reload.result)));
    const reports = new Map<number, LoadReport>();
    results.forEach((r, i) => {
      if (r.status === "fulfilled") reports.set(live[i].index, r.value);
      else log.warn({ worker: live[i].index, err: String(r.reason) }, "a worker did not reload");
    });
    return reports;
  }

  async function metricsAll() {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), METRICS_TIMEOUT_MS)));
    const snapshots = await Promise.all(
      serving().map((w) =>
        Promise.race([w.channel!.call("metrics", {}, Protocol.metrics.result), late]).catch(() => undefined)
      ),
    );
    clearTimeout(timer);
    const answered = snapshots.filter((s): s is MetricsSnapshot => s !== undefined);
    return { snapshot: mergeSnapshots(answered), live: answered.length, restarts };
  }

  /** Where worker `w`'s shim marks the plugin calls it is in (call-slots.ts); its shim empties it on each start. */
  const callSlotsFile = (w: Worker) => join(dir, `calls-${w.index}`);

  /** Starts worker `w`; resolves with its port once it serves, rejects if it exits first. */
  function start(w: Worker): Promise<number> {
    const { command, args } = runtime.selfCommand();
    const env: WorkerEnv = { index: w.index, port, store };
    const child = spawn(command, [...args, "--conf", confPath, ...(opts.dev ? ["--dev"] : [])], {
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: { ...process.env, [WORKER_ENV]: JSON.stringify(env), [CALL_SLOTS_ENV]: callSlotsFile(w) },
      // Its own process group: a terminal's Ctrl-C reaches the supervisor alone, which stops the workers in order.
      detached: true,
    });
    // Spawning itself failed (the command is gone): the exit that follows is handled as any death.
    child.once(
      "error",
      (err) => log.error({ worker: w.index, err: err.message }, `worker ${w.index} could not be started`),
    );
    w.child = child;
    w.ready = false;
    w.startedAt = Date.now();
    w.stderrTail = "";
    const channel = new Channel(
      child as IpcEnd,
      (err) => log.warn({ worker: w.index, err: err.message }, "unexpected message from a worker"),
    );
    w.channel = channel;
    channel.onNote("analytics", Protocol.analytics.params, ({ text }) => {
      analytics?.append(text).catch((err) =>
        log.error({ err: String(err), file: analytics.path }, "analytics records could not be written")
      );
    });
    channel.answer("reloadAll", Protocol.reloadAll.params, async () => {
      const report = (await reloadAll()).get(w.index);
      if (!report) throw new Error("this worker did not reload");
      return report;
    });
    channel.answer("metricsAll", Protocol.metricsAll.params, metricsAll);

    const out = new LineRelay((text) => stdout.write(text));
    const err = new LineRelay((text) => stderr.write(text));
    child.stdout!.setEncoding("utf8").on("data", (c: string) => out.push(c));
    child.stderr!.setEncoding("utf8").on("data", (c: string) => {
      err.push(c);
      w.stderrTail = (w.stderrTail + c).slice(-STDERR_KEPT);
    });
    const ended = (stream: NodeJS.ReadableStream) => new Promise<void>((r) => stream.once("end", r).once("close", r));
    const drained = Promise.all([
      ended(child.stdout!),
      ended(child.stderr!),
      new Promise((r) => child.once("disconnect", r)),
    ]);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.once("exit", (code, signal) => r({ code, signal }))
    );
    w.gone = exited.then(() => {
      // What the worker wrote before exiting (log lines, analytics batches) is still read; a pipe that a process the
      // plugin started holds open must not keep us waiting.
      let timer: ReturnType<typeof setTimeout> | undefined;
      return Promise.race([drained, new Promise((r) => (timer = setTimeout(r, 2000)))]).then(() => {
        clearTimeout(timer);
        out.end();
        err.end();
        channel.close(new Error(`worker ${w.index} exited`));
      });
    });
    exited.then(({ code, signal }) => {
      if (w.child === child) died(w, child.pid, code, signal);
    });
    return new Promise<number>((resolve, reject) => {
      channel.onNote("ready", Protocol.ready.params, ({ port }) => {
        w.ready = true;
        log.info({ worker: w.index, worker_pid: child.pid }, `worker ${w.index} serving`);
        resolve(port);
      });
      exited.then(({ code, signal }) =>
        reject(new Error(`worker ${w.index} exited (${describeExit(code, signal)}) before it was serving`))
      );
    });
  }

  function died(w: Worker, pid: number | undefined, code: number | null, signal: NodeJS.Signals | null): void {
    const wasReady = w.ready;
    w.ready = false;
    // A worker that never served during start-up fails the start instead (see below).
    if (stopping || (starting && !wasReady)) return;
    const uptimeMs = Date.now() - w.startedAt;
    w.quickDeaths = uptimeMs < STABLE_MS ? w.quickDeaths + 1 : 1;
    const delay = restartDelayMs(w.quickDeaths);
    const calls = readCallSlots(callSlotsFile(w));
    log.error({
      worker: w.index,
      worker_pid: pid,
      exit_code: code,
      signal,
      uptime_ms: uptimeMs,
      was_serving: wasReady,
      plugin_calls: calls.length > 0 ? calls : undefined,
      last_words: lastWords(w.stderrTail),
      restart_in_ms: delay,
    }, `worker ${w.index} died (${describeExit(code, signal)})${calls.length > 0 ? ` in plugin call ${calls.join(", ")}` : ""}; starting it again`);
    if (w.quickDeaths >= 2) {
      log.warn(
        { worker: w.index, quick_deaths: w.quickDeaths, restart_in_ms: delay },
        `worker ${w.index} keeps dying: ${w.quickDeaths} times in a row within ${
          STABLE_MS / 1000
        } s of starting; next start in ${delay / 1000} s`,
      );
    }
    w.restartTimer = setTimeout(() => {
      w.restartTimer = undefined;
      if (stopping) return;
      restarts++;
      // A death before serving is handled by died() like any other.
      start(w).catch(() => {});
    }, delay);
  }

  let stopped: Promise<number> | undefined;
  let finish!: (code: Promise<number>) => void;
  const finished = new Promise<number>((resolve) => (finish = (code) => void code.then(resolve)));
  const stop = (signal: string): Promise<number> => {
    if (!stopped) finish(stopped = shutdown(signal));
    return stopped;
  };
  const shutdown = async (signal: string): Promise<number> => {
    stopping = true;
    const graceMs = conf.graceful_shutdown_timeout_duration * 1000;
    log.info(
      { signal, grace_ms: graceMs },
      "shutting down: every worker stops accepting and finishes its requests in flight",
    );
    for (const w of workers) {
      clearTimeout(w.restartTimer);
      signalWorker(w, "SIGTERM");
    }
    const killer = setTimeout(() => {
      for (const w of workers) {
        if (running(w)) {
          log.warn(
            { worker: w.index },
            `worker ${w.index} has not stopped ${KILL_AFTER_GRACE_MS} ms after the grace period: killing it`,
          );
          signalWorker(w, "SIGKILL");
        }
      }
    }, graceMs + KILL_AFTER_GRACE_MS);
    await Promise.all(workers.map((w) => w.gone));
    clearTimeout(killer);
    await analytics?.close().catch((err) => log.error({ err: String(err) }, "closing the analytics file failed"));
    rmSync(dir, { recursive: true, force: true });
    log.info("gateway stopped");
    return 0;
  };

  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGHUP", () => {
    log.info("SIGHUP: reloading every worker's APIs");
    void reloadAll().then((reports) =>
      log.info({ workers: reports.size, loaded: [...reports.values()][0]?.loaded }, "SIGHUP: workers reloaded")
    );
  });

  try {
    // With listen_port 0 the first worker picks the port and the others join it.
    if (port === 0) port = await start(workers[0]);
    await Promise.all(workers.filter((w) => !w.child).map(start));
  } catch (err) {
    // Stopped by a signal while starting: that is a stop like any other.
    if (stopping) return finished;
    stderr.write(`gateway: ${(err as Error).message}\n`);
    await stop("start-up failed");
    return 1;
  }
  starting = false;
  log.info(
    { port, workers: count, runtime: runtime.name, version: GATEWAY_VERSION },
    `gateway listening on ${host}:${port} with ${count} workers`,
  );
  return finished;
}

function running(w: Worker): boolean {
  return w.child !== undefined && w.child.exitCode === null && w.child.signalCode === null;
}

/**
 * Signals a running worker's process. Not ChildProcess.kill: Deno's closes the IPC channel at once, and a stopping
 * worker still has analytics lines to hand over on it.
 */
function signalWorker(w: Worker, sig: NodeJS.Signals): void {
  if (!running(w) || w.child?.pid === undefined) return;
  try {
    process.kill(w.child.pid, sig);
  } catch {
    // It has just exited.
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return code !== null ? `exit code ${code}` : `signal ${signal}`;
}
