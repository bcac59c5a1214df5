// Reading the gateway's /tyk/metrics (Prometheus text) in end-to-end tests.
import { SECRET } from "./gateway.ts";

/** The exposition text of `${baseUrl}/tyk/metrics`, read with the Gateway API secret. */
export async function readMetrics(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/tyk/metrics`, {
    headers: { "x-tyk-authorization": SECRET },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`/tyk/metrics answered ${res.status}: ${text}`);
  return text;
}

/**
 * The value of an unlabelled sample (`name value`), or undefined when the
 * text has no such line.
 */
export function sampleValue(text: string, name: string): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const [n, v] = line.trim().split(/\s+/);
    if (n === name && v !== undefined) return Number(v);
  }
  return undefined;
}

/**
 * Polls a gauge until `done(value)` holds or `timeoutMs` passes; resolves
 * with the last value read (undefined when the gauge is missing).
 */
export async function pollGauge(
  baseUrl: string,
  name: string,
  done: (v: number | undefined) => boolean,
  timeoutMs: number,
): Promise<number | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = sampleValue(await readMetrics(baseUrl), name);
    if (done(v) || Date.now() >= until) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}
