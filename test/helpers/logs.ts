import pino, { type Logger } from "pino";
import { Writable } from "node:stream";

/** A real pino logger whose JSON lines are kept for assertions. */
export function capturedLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: "trace" }, sink), lines };
}
