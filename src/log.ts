// The gateway's structured log (pino, JSON lines on stdout).
import pino, { type Logger } from "pino";

export type { Logger } from "pino";

export function createLogger(level = "info"): Logger {
  return pino({ level: pinoLevel(level), base: { pid: process.pid } });
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
