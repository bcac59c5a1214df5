// The gateway's structured log (pino, JSON lines on stdout).
import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger } from "pino";

/**
 * The logger, at Tyk's `level`. Every record carries the pid, and `fields` (a worker's index); `destination` is
 * stdout unless given (the supervisor's, which it shares with the worker lines it passes on).
 */
export function createLogger(level = "info", fields: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const opts = { level: pinoLevel(level), base: { pid: process.pid, ...fields } };
  return destination ? pino(opts, destination) : pino(opts);
}

/** Tyk's log_level names, mapped to pino's. */
export function pinoLevel(tykLevel: string): string {
  const l = tykLevel.toLowerCase();
  return l === "warning" ? "warn" : ["trace", "debug", "info", "warn", "error", "fatal"].includes(l) ? l : "info";
}

const byNumber: Record<number, "trace" | "debug" | "info" | "warn" | "error" | "fatal"> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};

/** Writes one record at a level given by pino's number. */
export function logAt(log: Logger, level: number, fields: Record<string, unknown>, msg: string): void {
  log[byNumber[level] ?? "info"](fields, msg);
}
