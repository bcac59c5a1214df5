// Run and result frames, mirroring shim-go/wire.go (the layout is documented
// there). Encoding writes into one reusable buffer; decoding copies out what
// it returns, since the result buffer is reused by the next call.

export type HeaderPairs = Array<[name: string, value: string]>;
/** Header changes by name: the new values, [] when deleted. */
export type HeaderChanges = Array<[name: string, values: string[]]>;

/** The request as the first run opens it in Go. */
export interface OpenSection {
  method: string;
  /** Path and query (request-target form). */
  uri: string;
  host: string;
  proto: string;
  remoteAddr: string;
  /** Request headers, one pair per value, without Host (Go keeps it in r.Host). */
  headers: HeaderPairs;
  body?: Uint8Array;
}

/** Tyk's quota bookkeeping, written into the live Go session (never through JSON). */
export interface QuotaPatch {
  /** access_rights entries whose limit gets the new values. */
  apiIds: string[];
  /** Whether the session-level quota fields get them too. */
  sessionLevel: boolean;
  remaining: number;
  /** Unix seconds. */
  renews: number;
}

/** What the gateway's own steps changed since Go last saw the request. */
export interface GatewayChanges {
  headers?: HeaderChanges;
  /** A session the gateway loaded (Tyk's user.SessionState JSON): replaces any, unless `sessionInPlace`. */
  session?: string;
  /**
   * `session` is what the gateway's policies gave for the session hooks have: Go writes it into that object, keeping
   * the pointer and the Go values of MetaData entries it does not change, as Tyk's policy service works in place.
   */
  sessionInPlace?: boolean;
  quota?: QuotaPatch;
  authToken?: string;
  /** The request as it was sent upstream, before response hooks. */
  upstream?: { url: string; host: string };
  /** The upstream's answer, for response hooks. */
  response?: { status: number; headers: HeaderPairs; body: Uint8Array };
}

export interface HookCall {
  /** The plugin's handle; 0 for a policies gate. */
  plugin: number;
  /**
   * Not a hook: where Tyk applies the session's policies. Go passes it when the session names none (normalising it
   * in place as Tyk does); otherwise the run stops there (RunResult.gated) for the gateway to apply them.
   */
  policiesGate?: boolean;
}

export interface RunRequest extends GatewayChanges {
  /** Only on the first run of a request. */
  open?: OpenSection;
  hooks: HookCall[];
  /** A step that reads the session follows: a session hooks may have changed in place comes back whole (`session`). */
  wantSession?: boolean;
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

/** What one hook did. */
export interface HookRun {
  /** Execution time as measured in Go, in nanoseconds. */
  execNs: number;
  panic?: { message: string; stack: string };
  logs: LogRecord[];
}

/** What a run did: its hooks (in order, up to the one that stopped it), then what changed. */
export interface RunResult {
  hooks: HookRun[];
  /** The plugin answered: status, headers as net/http would send them (Content-Type sniffed), body. */
  responded?: { status: number; headers: HeaderPairs; body: Uint8Array };
  method?: string;
  uri?: string;
  host?: string;
  headerChanges?: HeaderChanges;
  body?: Uint8Array;
  /** A session a hook set (another object than the gateway knew), as JSON. */
  session?: string;
  /** The session the gateway knows was open to the hooks, which may have changed it in place: fetch it (Shim.requestSession) when needed. */
  sessionTouched: boolean;
  sessionUpdate: boolean;
  authToken?: string;
  /** Every header set on the ResponseWriter, when nothing was written. */
  rwHeaders?: HeaderPairs;
  /** The run stopped at a hook that panicked. */
  panicked: boolean;
  /** The run stopped at the first policies gate after its last hook run: the session names policies. */
  gated: boolean;
  resStatus?: number;
  resHeaders?: HeaderPairs;
  resBody?: Uint8Array;
}

/** Run frame flags (shim-go/wire.go in*). */
export const IN = {
  OPEN: 1 << 0,
  BODY: 1 << 1,
  HEADERS: 1 << 2,
  SESSION: 1 << 3,
  QUOTA: 1 << 4,
  AUTH_TOKEN: 1 << 5,
  UPSTREAM: 1 << 6,
  RESPONSE: 1 << 7,
  WANT_SESSION: 1 << 8,
  SESSION_IN_PLACE: 1 << 9,
} as const;

/** Hook flags (shim-go/wire.go hook*): in the run frame per hook, then in the result frame per hook run. */
export const HOOK = { POLICIES_GATE: 1 << 1, PANICKED: 1 << 0, LOGS: 1 << 1 } as const;

/** Result frame flags (shim-go/wire.go out*). */
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
  RES_STATUS: 1 << 11,
  RES_HEADERS: 1 << 12,
  RES_BODY: 1 << 13,
  PANICKED: 1 << 14,
  SESSION_TOUCHED: 1 << 15,
  GATE: 1 << 16,
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

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.len, v, true);
    this.len += 8;
  }

  pairs(h: HeaderPairs): void {
    this.u32(h.length);
    for (const [k, v] of h) {
      this.str(k);
      this.str(v);
    }
  }

  changes(ch: HeaderChanges): void {
    this.u32(ch.length);
    for (const [k, vs] of ch) {
      this.str(k);
      this.u32(vs.length);
      for (const v of vs) this.str(v);
    }
  }

  /** The frame written so far (a view: valid until the next write). */
  frame(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

export function encodeRun(w: FrameWriter, req: RunRequest): Uint8Array {
  w.reset();
  let flags = 0;
  if (req.open) flags |= IN.OPEN;
  if (req.open?.body !== undefined && req.open.body.length > 0) flags |= IN.BODY;
  if (req.headers?.length) flags |= IN.HEADERS;
  if (req.session !== undefined) flags |= IN.SESSION;
  if (req.quota) flags |= IN.QUOTA;
  if (req.authToken !== undefined) flags |= IN.AUTH_TOKEN;
  if (req.upstream) flags |= IN.UPSTREAM;
  if (req.response) flags |= IN.RESPONSE;
  if (req.wantSession) flags |= IN.WANT_SESSION;
  if (req.session !== undefined && req.sessionInPlace) flags |= IN.SESSION_IN_PLACE;
  w.u32(flags);
  if (req.open) {
    const o = req.open;
    w.str(o.method);
    w.str(o.uri);
    w.str(o.host);
    w.str(o.proto);
    w.str(o.remoteAddr);
    w.pairs(o.headers);
    if (flags & IN.BODY) w.bytes(o.body!);
  }
  if (flags & IN.HEADERS) w.changes(req.headers!);
  if (flags & IN.SESSION) w.str(req.session!);
  if (req.quota) {
    w.u32(req.quota.apiIds.length);
    for (const id of req.quota.apiIds) w.str(id);
    w.u32(req.quota.sessionLevel ? 1 : 0);
    w.f64(req.quota.remaining);
    w.f64(req.quota.renews);
  }
  if (flags & IN.AUTH_TOKEN) w.str(req.authToken!);
  if (req.upstream) {
    w.str(req.upstream.url);
    w.str(req.upstream.host);
  }
  if (req.response) {
    w.u32(req.response.status);
    w.pairs(req.response.headers);
    w.bytes(req.response.body);
  }
  w.u32(req.hooks.length);
  for (const h of req.hooks) {
    w.u32(h.plugin);
    w.u32(h.policiesGate ? HOOK.POLICIES_GATE : 0);
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

export function decodeRun(buf: Uint8Array): RunResult {
  const r = new FrameReader(buf);
  const flags = r.u32();
  const n = r.u32();
  const hooks: HookRun[] = [];
  for (let i = 0; i < n; i++) {
    const run: HookRun = { execNs: r.f64(), logs: [] };
    const hf = r.u32();
    if (hf & HOOK.PANICKED) run.panic = { message: r.str(), stack: r.str() };
    if (hf & HOOK.LOGS) run.logs = decodeLogs(r);
    hooks.push(run);
  }
  const res: RunResult = {
    hooks,
    sessionUpdate: (flags & OUT.SESSION_UPDATE) !== 0,
    panicked: (flags & OUT.PANICKED) !== 0,
    gated: (flags & OUT.GATE) !== 0,
    sessionTouched: (flags & OUT.SESSION_TOUCHED) !== 0,
  };
  if (flags & OUT.RESPONDED) res.responded = { status: r.u32(), headers: r.pairs(), body: r.bytes() };
  if (flags & OUT.METHOD) res.method = r.str();
  if (flags & OUT.URL) res.uri = r.str();
  if (flags & OUT.HOST) res.host = r.str();
  if (flags & OUT.REQ_HEADERS) {
    const k = r.u32();
    const changes: HeaderChanges = [];
    for (let i = 0; i < k; i++) {
      const name = r.str();
      const m = r.u32();
      const values: string[] = [];
      for (let j = 0; j < m; j++) values.push(r.str());
      changes.push([name, values]);
    }
    res.headerChanges = changes;
  }
  if (flags & OUT.REQ_BODY) res.body = r.bytes();
  if (flags & OUT.SESSION) res.session = r.str();
  if (flags & OUT.AUTH_TOKEN) res.authToken = r.str();
  if (flags & OUT.RW_HEADERS) res.rwHeaders = r.pairs();
  if (flags & OUT.RES_STATUS) res.resStatus = r.u32();
  if (flags & OUT.RES_HEADERS) res.resHeaders = r.pairs();
  if (flags & OUT.RES_BODY) res.resBody = r.bytes();
  return res;
}
