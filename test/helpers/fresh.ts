// Requests each on a connection of its own, as different clients make them: with plugin_gateway.workers the kernel
// spreads new connections over the workers, so these reach all of them (where fetch would keep reusing one).
import { request } from "node:http";

export interface Answer {
  status: number;
  /** The worker that answered, when the procexit plugin's Die hook ran (X-Worker-Pid). */
  pid?: string;
  body: string;
  /** When the request was sent (ms since epoch). */
  started: number;
}

/** One request to 127.0.0.1:`port` on a new connection; rejects when the connection fails. */
export function fresh(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, pid: res.headers["x-worker-pid"] as string | undefined, body, started }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** `n` fresh requests, `concurrency` at a time; `path(i)` is the i-th request's path. */
export async function many(
  port: number,
  n: number,
  concurrency: number,
  path: (i: number) => string,
  headers: Record<string, string> = {},
): Promise<Answer[]> {
  const out: Answer[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < n; i = next++) out.push(await fresh(port, path(i), headers));
  }));
  return out;
}
