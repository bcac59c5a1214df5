// Fetching a bundle over HTTP(S). node:http/node:https rather than fetch: both runtimes implement them, and they
// are the one portable way to honour bundle_insecure_skip_verify per request. Like Go's http.Client (which Tyk
// uses) redirects are followed, and only a 200 counts as the bundle.
import http from "node:http";
import https from "node:https";

export interface DownloadOptions {
  /** For one attempt, redirects included: connecting, the answer and the whole body. */
  timeoutMs: number;
  /** Further attempts after the first, after 200 ms, 400 ms, 800 ms, ... */
  retries: number;
  maxBytes: number;
  insecureSkipVerify: boolean;
  /** Told before each retry. */
  onRetry?: (info: { attempt: number; delayMs: number; error: string }) => void;
}

export class DownloadError extends Error {
  override readonly name = "DownloadError";
  constructor(message: string, readonly retryable: boolean) {
    super(message);
  }
}

const BACKOFF_BASE_MS = 200;
const MAX_REDIRECTS = 10; // Go's http.Client default

/** The URL without its password, for messages and logs. */
export function redactUrl(url: URL): string {
  if (url.password === "") return url.href;
  const u = new URL(url.href);
  u.password = "xxxxx";
  return u.href;
}

/** GETs `url` with bounded retries and exponential backoff; 4xx answers (but 408 and 429) are final at once. */
export async function download(url: URL, opts: DownloadOptions): Promise<Uint8Array> {
  for (let attempt = 0;; attempt++) {
    try {
      return await getOnce(url, opts, Date.now() + opts.timeoutMs, MAX_REDIRECTS);
    } catch (err) {
      const e = err instanceof DownloadError ? err : new DownloadError(String(err), true);
      if (!e.retryable || attempt >= opts.retries) {
        const tries = attempt === 0 ? "" : ` (gave up after ${attempt + 1} attempts)`;
        throw new DownloadError(`GET ${redactUrl(url)}: ${e.message}${tries}`, e.retryable);
      }
      const delayMs = BACKOFF_BASE_MS * 2 ** attempt;
      opts.onRetry?.({ attempt: attempt + 1, delayMs, error: e.message });
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

function retryableStatus(status: number): boolean {
  // 408 and 429 are the server asking to try again later; any other 4xx will not change by retrying.
  return status >= 500 || status === 408 || status === 429;
}

// Certificate problems do not go away by retrying; say what the operator can do.
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL/i;

function describeNetError(err: Error & { code?: string }): DownloadError {
  const code = err.code ?? "";
  if (TLS_CODES.test(code) || /certificate/i.test(err.message)) {
    return new DownloadError(
      `TLS certificate not accepted (${err.message}); fix the server's certificate, or set bundle_insecure_skip_verify in tyk.conf`,
      false,
    );
  }
  const what: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "host not found",
    ECONNRESET: "connection reset",
    EAI_AGAIN: "host name lookup failed (temporarily)",
  };
  return new DownloadError(what[code] ? `${what[code]} (${err.message})` : err.message, true);
}

function getOnce(url: URL, opts: DownloadOptions, deadline: number, redirectsLeft: number): Promise<Uint8Array> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Promise.reject(new DownloadError(`unsupported URL scheme "${url.protocol}" (use http or https)`, false));
  }
  return new Promise<Uint8Array>((resolve, reject) => {
    let settled = false;
    const finish = (err: DownloadError | null, body?: Uint8Array | Promise<Uint8Array>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(body as Uint8Array | Promise<Uint8Array>);
    };
    const secure = url.protocol === "https:";
    const req = (secure ? https : http).request(url, {
      method: "GET",
      agent: false, // one connection per attempt, closed after: nothing pooled keeps the process alive
      headers: { "user-agent": "tyk-plugin-gateway bundle downloader", accept: "*/*" },
      ...(secure ? { rejectUnauthorized: !opts.insecureSkipVerify } : {}),
    });
    const timer = setTimeout(
      () => finish(new DownloadError(`timed out: no complete answer within ${opts.timeoutMs} ms`, true)),
      Math.max(0, deadline - Date.now()),
    );
    req.on("error", (err: Error & { code?: string }) => finish(describeNetError(err)));
    req.on("response", (res: http.IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if ([301, 302, 303, 307, 308].includes(status) && location) {
        res.resume();
        if (redirectsLeft === 0) return finish(new DownloadError(`stopped after ${MAX_REDIRECTS} redirects`, false));
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return finish(
            new DownloadError(`HTTP ${status} redirects to an invalid URL ${JSON.stringify(location)}`, false),
          );
        }
        // The rest of this attempt's time budget goes to the next hop, which settles this promise.
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve(getOnce(next, opts, deadline, redirectsLeft - 1));
        return;
      }
      if (status !== 200) {
        res.resume();
        const hint = status === 404 ? " (no bundle of that name at bundle_base_url)" : "";
        return finish(
          new DownloadError(`HTTP ${status} ${res.statusMessage ?? ""}`.trim() + hint, retryableStatus(status)),
        );
      }
      const declared = Number(res.headers["content-length"]);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        return finish(new DownloadError(`the bundle is ${declared} bytes, over the limit of ${opts.maxBytes}`, false));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > opts.maxBytes) {
          finish(new DownloadError(`the bundle is over the limit of ${opts.maxBytes} bytes`, false));
        } else chunks.push(c);
      });
      res.on("end", () => {
        if (Number.isFinite(declared) && size !== declared) {
          finish(new DownloadError(`the answer ended after ${size} of ${declared} bytes`, true));
        } else finish(null, new Uint8Array(Buffer.concat(chunks)));
      });
      res.on("error", (err: Error & { code?: string }) => finish(describeNetError(err)));
      res.on("close", () => finish(new DownloadError(`the connection closed after ${size} bytes`, true)));
    });
    req.end();
  });
}
