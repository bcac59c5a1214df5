// A worker's side of the supervisor (plugin_gateway.workers > 1): what a gateway process started by the supervisor
// does differently. It listens with SO_REUSEPORT on the port the supervisor gives it, keeps keys and counters in the
// SQLite file all workers share, hands its analytics lines to the supervisor (the file's one writer), and turns
// /tyk/reload and /tyk/metrics into the whole group's.
import process from "node:process";
import type { LineDestination } from "../analytics/sink.ts";
import { type MetricsSnapshot, renderMetrics } from "../metrics/index.ts";
import type { LoadReport } from "../registry/index.ts";
import { Channel, type IpcEnd } from "./channel.ts";
import { Protocol, WORKER_ENV, type WorkerEnv, workerEnvSchema } from "./protocol.ts";

/** What the supervisor asks of a serving worker. */
export interface WorkerGateway {
  /** Reloads this worker's APIs and policies. */
  reload(): Promise<LoadReport>;
  /** This worker's metrics. */
  snapshot(): MetricsSnapshot;
  /**
   * Stops logging: the supervisor, the only reader of this worker's stdout and stderr, is gone. (Measured: two pino
   * records written to a pipe nobody reads left Deno unable to exit.)
   */
  quiet(): void;
}

export class WorkerLink {
  readonly #env: WorkerEnv;
  readonly #channel: Channel;

  /** The link of a process started as a worker, or undefined for a gateway started by hand. */
  static fromEnvironment(): WorkerLink | undefined {
    const raw = process.env[WORKER_ENV];
    if (raw === undefined) return undefined;
    // Processes a plugin starts are not workers.
    delete process.env[WORKER_ENV];
    if (typeof process.send !== "function") {
      throw new Error(`${WORKER_ENV} is set, but there is no IPC channel to a supervisor`);
    }
    return new WorkerLink(workerEnvSchema.parse(JSON.parse(raw)), process as IpcEnd);
  }

  constructor(env: WorkerEnv, end: IpcEnd) {
    this.#env = env;
    this.#channel = new Channel(end, (err) => process.stderr.write(`worker ${env.index}: ${err.message}\n`));
  }

  get index(): number {
    return this.#env.index;
  }

  /** Where to listen (with SO_REUSEPORT). */
  get port(): number {
    return this.#env.port;
  }

  /** The embedded store's file ("" with Redis). */
  get storePath(): string {
    return this.#env.store;
  }

  /** Worker 0 watches files for the whole group, so that a change reloads (and rebuilds) once per change. */
  get watchesFiles(): boolean {
    return this.#env.index === 0;
  }

  /**
   * The worker serves on `port`: the supervisor may now reload it and read its metrics. When the supervisor is gone
   * (its channel closed), the worker stops as on SIGTERM: nobody would restart it, and it must not hold the port.
   */
  serving(port: number, gateway: WorkerGateway): Promise<void> {
    this.#channel.answer("reload", Protocol.reload.params, () => gateway.reload());
    this.#channel.answer("metrics", Protocol.metrics.params, () => gateway.snapshot());
    process.once("disconnect", () => {
      this.#channel.close(new Error("the supervisor is gone"));
      gateway.quiet();
      process.kill(process.pid, "SIGTERM");
    });
    return this.#channel.note("ready", { port });
  }

  /**
   * Lets go of the supervisor: a worker that failed to start must be able to exit (the open channel would keep it
   * running), and the supervisor learns it is gone.
   */
  detach(): void {
    this.#channel.close(new Error("this worker detached"));
    process.disconnect?.();
  }

  /** Reloads every worker; resolves with this worker's own reload once all are done. */
  reloadAll(): Promise<LoadReport> {
    return this.#channel.call("reloadAll", {}, Protocol.reloadAll.result);
  }

  /** The Prometheus text of every worker's metrics together. */
  async metricsText(): Promise<string> {
    const all = await this.#channel.call("metricsAll", {}, Protocol.metricsAll.result);
    return renderMetrics(all.snapshot, { live: all.live, restarts: all.restarts });
  }

  /** Analytics lines go to the supervisor, which appends every worker's to the one file. */
  readonly analytics: LineDestination = {
    append: (text) => this.#channel.note("analytics", { text }),
    close: () => Promise.resolve(),
  };
}
