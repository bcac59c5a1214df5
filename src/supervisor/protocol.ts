// What the supervisor and its workers say to each other (channel.ts carries it), each message's shape checked with zod.
import { z } from "zod";
import { metricsSnapshotSchema } from "../metrics/index.ts";

/** The environment variable through which the supervisor tells a process it starts that it is a worker, and how. */
export const WORKER_ENV = "TYKGW_WORKER";

/** The value of WORKER_ENV (JSON). */
export const workerEnvSchema = z.object({
  /** 0 .. workers-1; worker 0 also watches files (watch_app_path, --dev) for the group. */
  index: z.number().int().min(0),
  /** The port to listen on (with SO_REUSEPORT); 0 for the first worker when listen_port is 0. */
  port: z.number().int().min(0).max(65535),
  /** The SQLite file of the embedded store all workers share; "" when storage is Redis. */
  store: z.string(),
});
export type WorkerEnv = z.output<typeof workerEnvSchema>;

/** A reload's outcome, as the registry reports it. */
export const loadReportSchema = z.object({
  loaded: z.array(z.string()),
  failed: z.array(z.object({ file: z.string(), error: z.string() })),
});

const none = z.object({});

/** Calls and notes, by name: `params` and (for calls) `result`. */
export const Protocol = {
  /** Worker -> supervisor, once it listens. */
  ready: { params: z.object({ port: z.number().int().min(1).max(65535) }) },
  /** Worker -> supervisor: whole JSON lines for the analytics file, which the supervisor alone appends to. */
  analytics: { params: z.object({ text: z.string() }) },
  /** Worker -> supervisor: reload every worker (this one included); the result is the caller's own reload. */
  reloadAll: { params: none, result: loadReportSchema },
  /** Worker -> supervisor: every worker's metrics, merged, and the supervisor's own figures. */
  metricsAll: {
    params: none,
    result: z.object({ snapshot: metricsSnapshotSchema, live: z.number(), restarts: z.number() }),
  },
  /** Supervisor -> worker: reload the APIs and policies. */
  reload: { params: none, result: loadReportSchema },
  /** Supervisor -> worker: this worker's metrics. */
  metrics: { params: none, result: metricsSnapshotSchema },
} as const;
