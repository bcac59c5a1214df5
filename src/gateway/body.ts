// Bodies the gateway has to hold whole in memory: a request body Go plugins
// read (and may read again), a body of unknown length checked against
// max_request_body_size before anything goes upstream, an upstream answer
// response hooks rewrite. Everything else streams.

/**
 * The limit for a body held in memory when tyk.conf sets none (its
 * `max_request_body_size` / `max_response_body_size` is 0), in bytes: 10 MiB,
 * the payload limit of common API gateways that buffer bodies (AWS API
 * Gateway's is 10 MB). A held body costs about three times its size while a
 * Go hook runs on it (the gateway's copy, the frame to the shim, Go's copy),
 * so this keeps one request to tens of MiB; set the tyk.conf limit for more.
 */
export const DEFAULT_HELD_BODY_LIMIT = 10 << 20;

/** The most bytes of a body the gateway holds in memory, per direction (never 0), and the budget they share. */
export interface HeldBodyLimits {
  /** A request body: over it the client gets 413, and nothing goes upstream. */
  readonly request: number;
  /** An upstream answer for response hooks: over it the client gets 500 "Response body too large", as in Tyk. */
  readonly response: number;
  readonly budget: HeldBodyBudget;
}

/**
 * The limits for a tyk.conf's `http_server_options` byte limits (0 = not
 * set: DEFAULT_HELD_BODY_LIMIT) and its plugin_gateway.max_held_body_bytes
 * (0 = no budget).
 */
export function heldBodyLimits(
  maxRequestBodySize: number,
  maxResponseBodySize: number,
  maxHeldBytes: number,
): HeldBodyLimits {
  return {
    request: maxRequestBodySize > 0 ? maxRequestBodySize : DEFAULT_HELD_BODY_LIMIT,
    response: maxResponseBodySize > 0 ? maxResponseBodySize : DEFAULT_HELD_BODY_LIMIT,
    budget: new HeldBodyBudget(maxHeldBytes),
  };
}

/** Bytes of bodies held in memory by all requests together, up to `limit` (0: no limit). */
export class HeldBodyBudget {
  private used = 0;
  constructor(readonly limit: number) {}

  /** Counts `n` more bytes held, if they fit. */
  take(n: number): boolean {
    if (this.limit > 0 && this.used + n > this.limit) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used -= n;
  }
}

/** What one request holds against the budget; given back, all of it, when the request ends (release). */
export class BodyHold {
  private bytes = 0;
  constructor(private readonly budget: HeldBodyBudget) {}

  take(n: number): boolean {
    if (!this.budget.take(n)) return false;
    this.bytes += n;
    return true;
  }

  release(): void {
    this.budget.give(this.bytes);
    this.bytes = 0;
  }
}

/** A body was longer than the bytes the gateway may hold for it (declared or as it arrived). */
export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
  constructor(readonly limit: number) {
    super(`body over ${limit} bytes`);
  }
}

/** Holding a body would take the bodies held by all requests past their budget: the request gets 503. */
export class BodyBudgetError extends Error {
  override name = "BodyBudgetError";
  constructor() {
    super("bodies held in memory would exceed plugin_gateway.max_held_body_bytes");
  }
}

/**
 * Reads a stream whole, at most `limit` bytes, counting them against `hold`.
 * A `declaredLength` over the limit fails before reading anything, and one
 * the budget has no room for too (its bytes are taken at once: concurrent
 * bodies each holding a part would all fail); a body of unknown length
 * takes its bytes as they arrive, and fails as soon as it is over the limit
 * (BodyTooLargeError) or the budget (BodyBudgetError). Either way nothing
 * more is held, and the rest of the body is `rest`: "drain"ed, read and
 * dropped (a client's body: Bun.serve resets a connection whose request body
 * is left unread once it answers, and a client still sending then loses the
 * answer, where Go, hence Tyk, lingers), or "cancel"led (an upstream's
 * answer, whose connection is then closed). The bytes are copied once, at
 * the end.
 */
export async function readHeldBody(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  hold: BodyHold,
  rest: "drain" | "cancel",
  declaredLength?: number,
): Promise<Uint8Array> {
  const refused = declaredLength === undefined
    ? undefined
    : declaredLength > limit
    ? new BodyTooLargeError(limit)
    : !hold.take(declaredLength)
    ? new BodyBudgetError()
    : undefined;
  if (refused) {
    await dispose(stream.getReader(), rest);
    throw refused;
  }
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    // A declared length was taken whole (and the server delivers no more than it).
    const err = total > limit
      ? new BodyTooLargeError(limit)
      : declaredLength === undefined && !hold.take(value.byteLength)
      ? new BodyBudgetError()
      : undefined;
    if (err) {
      await dispose(reader, rest);
      throw err;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

async function dispose(reader: ReadableStreamDefaultReader<Uint8Array>, rest: "drain" | "cancel"): Promise<void> {
  try {
    if (rest === "cancel") await reader.cancel();
    else while (!(await reader.read()).done);
  } catch {
    // the other side went away: nothing left to dispose of
  }
}

/** A Content-Length value as a byte count; undefined when absent or not a plain decimal number. */
export function declaredLength(value: string | null): number | undefined {
  return value !== null && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}
