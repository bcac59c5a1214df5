// Call and result frames, mirroring shim-go/wire.go (the layout is documented
// there). Encoding writes into one reusable buffer; decoding copies out what
// it returns, since the result buffer is reused by the next call.

export type HeaderPairs = Array<[name: string, value: string]>;

export interface CallRequest {
  method: string;
  /** Path and query, as received (request-target form). */
  uri: string;
  host: string;
  proto: string;
  remoteAddr: string;
  /** The key the request authenticated with, if any (ctx.GetAuthToken). */
  authToken: string;
  headers: HeaderPairs;
  /** The session as Tyk's user.SessionState JSON (ctx.GetSession). */
  session?: string;
  body?: Uint8Array;
  /** For response hooks: the upstream response. */
  response?: { status: number; headers: HeaderPairs; body: Uint8Array };
}

export interface LogRecord {
  /** pino level number: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
  level: number;
  timeMs: number;
  msg: string;
  fields?: Record<string, unknown>;
  /** The plugin file the record was written from, where the shim knows it. */
  plugin: string;
}

export interface CallResult {
  /** Plugin execution time as measured in Go, in nanoseconds. */
  execNs: number;
  /** Set when the plugin wrote a response (WriteHeader or Write). */
  responded?: { status: number; body: Uint8Array };
  /** Every header set on the ResponseWriter, written or not. */
  rwHeaders?: HeaderPairs;
  method?: string;
  uri?: string;
  host?: string;
  /** Changed request headers: new values per name, [] when deleted. */
  headerChanges?: Array<[name: string, values: string[]]>;
  body?: Uint8Array;
  session?: string;
  sessionUpdate: boolean;
  authToken?: string;
  panic?: { message: string; stack: string };
  resStatus?: number;
  resHeaders?: HeaderPairs;
  resBody?: Uint8Array;
  logs: LogRecord[];
}

const IN_SESSION = 1 << 0, IN_BODY = 1 << 1, IN_RESPONSE = 1 << 2;

export const OUT = {
  RESPONDED: 1 << 0,
  METHOD: 1 << 1,
  URL: 1 << 2,
  HOST: 1 << 3,
  REQ_HEADERS: 1 << 4,
  REQ_BODY: 1 << 5,
  SESSION: 1 << 6,
  SESSION_UPDATE: 1 << 7,
  AUTH_TOKEN: 1 << 8,
  RW_HEADERS: 1 << 9,
  PANIC: 1 << 10,
  RES_STATUS: 1 << 11,
  RES_HEADERS: 1 << 12,
  RES_BODY: 1 << 13,
  LOGS: 1 << 14,
} as const;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export class FrameWriter {
  buf: Uint8Array;
  private view: DataView;
  len = 0;

  constructor(size = 16 * 1024) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  reset(): this {
    this.len = 0;
    return this;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.len, v, true);
    this.len += 4;
  }

  str(s: string): void {
    const n = s.length;
    this.ensure(4 + n * 3);
    const start = this.len + 4;
    // Header names and values are nearly always ASCII: copy char codes and
    // only fall back to the UTF-8 encoder when a wider one shows up.
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      this.buf[start + i] = c;
    }
    let written = i;
    if (i < n) written = i + utf8.encodeInto(s.slice(i), this.buf.subarray(start + i)).written;
    this.view.setUint32(this.len, written, true);
    this.len = start + written;
  }

  bytes(b: Uint8Array): void {
    this.ensure(4 + b.length);
    this.view.setUint32(this.len, b.length, true);
    this.buf.set(b, this.len + 4);
    this.len += 4 + b.length;
  }

  pairs(h: HeaderPairs): void {
    this.u32(h.length);
    for (const [k, v] of h) {
      this.str(k);
      this.str(v);
    }
  }

  /** The frame written so far (a view: valid until the next write). */
  frame(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

export function encodeCall(w: FrameWriter, req: CallRequest): Uint8Array {
  w.reset();
  let flags = 0;
  if (req.session !== undefined) flags |= IN_SESSION;
  if (req.body !== undefined && req.body.length > 0) flags |= IN_BODY;
  if (req.response) flags |= IN_RESPONSE;
  w.u32(flags);
  w.str(req.method);
  w.str(req.uri);
  w.str(req.host);
  w.str(req.proto);
  w.str(req.remoteAddr);
  w.str(req.authToken);
  w.pairs(req.headers);
  if (flags & IN_SESSION) w.str(req.session!);
  if (flags & IN_BODY) w.bytes(req.body!);
  if (req.response) {
    w.u32(req.response.status);
    w.pairs(req.response.headers);
    w.bytes(req.response.body);
  }
  return w.frame();
}

export class FrameReader {
  private view: DataView;
  off = 0;
  constructor(private buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  u32(): number {
    const v = this.view.getUint32(this.off, true);
    this.off += 4;
    return v;
  }

  f64(): number {
    const v = this.view.getFloat64(this.off, true);
    this.off += 8;
    return v;
  }

  /** A copy of the next bytes field. */
  bytes(): Uint8Array {
    const n = this.u32();
    const b = this.buf.slice(this.off, this.off + n);
    this.off += n;
    return b;
  }

  str(): string {
    const n = this.u32();
    const start = this.off;
    this.off += n;
    if (n < 64) {
      let s = "";
      for (let i = start; i < start + n; i++) {
        const c = this.buf[i];
        if (c > 0x7f) return utf8Decoder.decode(this.buf.subarray(start, start + n));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return utf8Decoder.decode(this.buf.subarray(start, start + n));
  }

  pairs(): HeaderPairs {
    const n = this.u32();
    const out: HeaderPairs = new Array(n);
    for (let i = 0; i < n; i++) out[i] = [this.str(), this.str()];
    return out;
  }
}

export function decodeLogs(r: FrameReader): LogRecord[] {
  const n = r.u32();
  const out: LogRecord[] = [];
  for (let i = 0; i < n; i++) {
    const level = r.u32();
    const timeMs = r.f64();
    const msg = r.str();
    const fields = r.str();
    const plugin = r.str();
    out.push({ level, timeMs, msg, plugin, ...(fields ? { fields: JSON.parse(fields) } : {}) });
  }
  return out;
}

export function decodeResult(buf: Uint8Array): CallResult {
  const r = new FrameReader(buf);
  const flags = r.u32();
  const res: CallResult = { execNs: r.f64(), sessionUpdate: (flags & OUT.SESSION_UPDATE) !== 0, logs: [] };
  if (flags & OUT.RESPONDED) res.responded = { status: r.u32(), body: r.bytes() };
  if (flags & OUT.METHOD) res.method = r.str();
  if (flags & OUT.URL) res.uri = r.str();
  if (flags & OUT.HOST) res.host = r.str();
  if (flags & OUT.REQ_HEADERS) {
    const n = r.u32();
    const changes: Array<[string, string[]]> = [];
    for (let i = 0; i < n; i++) {
      const name = r.str();
      const k = r.u32();
      const values: string[] = [];
      for (let j = 0; j < k; j++) values.push(r.str());
      changes.push([name, values]);
    }
    res.headerChanges = changes;
  }
  if (flags & OUT.REQ_BODY) res.body = r.bytes();
  if (flags & OUT.SESSION) res.session = r.str();
  if (flags & OUT.AUTH_TOKEN) res.authToken = r.str();
  if (flags & OUT.RW_HEADERS) res.rwHeaders = r.pairs();
  if (flags & OUT.PANIC) res.panic = { message: r.str(), stack: r.str() };
  if (flags & OUT.RES_STATUS) res.resStatus = r.u32();
  if (flags & OUT.RES_HEADERS) res.resHeaders = r.pairs();
  if (flags & OUT.RES_BODY) res.resBody = r.bytes();
  if (flags & OUT.LOGS) res.logs = decodeLogs(r);
  return res;
}
