// What one request carries through an API's middleware chain. Plugins change
// it (method, path, headers, body, session); the proxy sends what is left.

import type { Context } from "hono";
import type { GatewayChanges } from "../../ffi/wire.ts";
import { type BodyHold, declaredLength, type HeldBodyLimits, readHeldBody } from "./body.ts";
import type { SessionState } from "../store/types.ts";
import { parseSession } from "../store/session.ts";
import type { LoadedApi } from "../registry/types.ts";

export interface RequestState {
  readonly id: string;
  readonly api: LoadedApi;
  readonly startedAt: number;
  readonly clientIp: string;
  readonly clientPort: number;
  method: string;
  /** The request path as received, listen path included. */
  path: string;
  /** Raw query string without "?" ("" when none). */
  query: string;
  /** Set by a plugin that rewrote the URL to an absolute one: sent there as is. */
  absoluteUrl?: URL;
  host: string;
  headers: Headers;
  /** Streamed unless something (a plugin) needed it whole. */
  body: ReadableStream<Uint8Array> | Uint8Array | null;
  /** The most bytes of a body this request may have held in memory (bufferedBody, response hooks). */
  readonly bodyLimits: HeldBodyLimits;
  /** The bytes of body this request holds in memory, counted against the budget of all requests. */
  readonly hold: BodyHold;
  /** The raw key the request authenticated with (ctx.GetAuthToken). */
  authToken: string;
  /** Tyk's user.SessionState as JSON, set by auth (ctx.GetSession). Read it with currentSession. */
  session?: SessionState;
  /** `session` as JSON, kept while it is unchanged: each plugin call sends it. Cleared whenever `session` is set. */
  sessionJson?: string;
  /** A plugin asked for the session to be saved (SetSession(..., true)). */
  sessionUpdate: boolean;
  /** Headers plugins set on the ResponseWriter without answering: they reach the client. */
  responseHeaders: Headers;
  /** Time spent waiting on the upstream, for analytics. */
  upstreamMs: number;
  /**
   * The request's live Go twin in the shim (a request handle), 0 until a Go
   * hook first runs. Released when the request ends, however it ends.
   */
  goRequest: number;
  /** What the gateway's own steps changed since Go last saw the request: sent with the next run. */
  goChanges: GatewayChanges;
  /** The gateway set a session Go has not seen yet (encoded only if a Go hook runs). */
  goSessionStale?: boolean;
  /** That session is the one hooks have with policies applied: Go writes it into their object (see setSession). */
  goSessionInPlace?: boolean;
  /** Hooks had the session and may have changed it in place: this fetches it from the Go twin (see currentSession). */
  goSessionFetch?: () => string | undefined;
  /** The request as it went upstream (absolute URL, Host), for response hooks. */
  upstream?: { url: string; host: string };
}

export type GatewayEnv = {
  Variables: { gw: RequestState };
  Bindings: ConnInfo;
};

export interface ConnInfo {
  remoteAddr: { hostname: string; port: number };
}

/**
 * A step of an API's chain. Unlike Hono's MiddlewareHandler, `next` resolves
 * to the Response of the rest of the chain: response hooks and rate-limit
 * headers rewrite it, which Hono's `c.res` setter would merge headers into.
 */
export type GatewayMiddleware = (c: GatewayContext, next: () => Promise<Response>) => Promise<Response>;
export type GatewayContext = Context<GatewayEnv>;

/** The request URI as the upstream and plugins see it: path plus query. */
export function requestUri(state: RequestState): string {
  return state.query ? `${state.path}?${state.query}` : state.path;
}

/**
 * Sets the session the gateway loaded (standard auth), or gave the current one (`inPlace`: policies applied to a
 * session hooks may hold, which Go then changes in place, as Tyk does); the next Go run gets it.
 */
export function setSession(state: RequestState, session: SessionState, inPlace = false): void {
  // In place only into a session Go has: not over one the gateway loaded and Go has not seen yet.
  state.goSessionInPlace = inPlace && (!state.goSessionStale || state.goSessionInPlace === true);
  state.session = session;
  state.sessionJson = undefined;
  state.goSessionStale = true;
  state.goSessionFetch = undefined;
}

/**
 * The request's session as it is now. When hooks had it (they may change it
 * in place, as Tyk's plugins do), it is first fetched from the request's Go
 * twin: encoding a session costs more than a hook, so Go encodes it only for
 * a step that reads it (limits, the key store, analytics).
 */
export function currentSession(state: RequestState): SessionState | undefined {
  const fetch = state.goSessionFetch;
  if (fetch) {
    state.goSessionFetch = undefined;
    const json = fetch();
    if (json !== undefined) {
      state.session = parseSession(json);
      state.sessionJson = json;
    }
  }
  return state.session;
}

/** Sets the raw key the request authenticated with; the next Go run gets it. */
export function setAuthToken(state: RequestState, token: string): void {
  state.authToken = token;
  state.goChanges.authToken = token;
}

/** Deletes a request header; the next Go run sees it gone. */
export function deleteHeader(state: RequestState, name: string): void {
  if (!state.headers.has(name)) return;
  state.headers.delete(name);
  (state.goChanges.headers ??= []).push([name, []]);
}

/**
 * Reads a streamed body once and keeps it, so plugins can see and change it.
 * Throws BodyTooLargeError (the request then gets 413) for a body over
 * `bodyLimits.request`, declared or as it arrives, without reading past it;
 * BodyBudgetError (503) when the bodies all requests hold leave no room.
 */
export async function bufferedBody(state: RequestState): Promise<Uint8Array | undefined> {
  if (state.body === null) return undefined;
  if (state.body instanceof Uint8Array) return state.body;
  const buf = await readHeldBody(state.body, state.bodyLimits.request, state.hold, "drain", declaredLength(state.headers.get("content-length")));
  state.body = buf;
  return buf;
}
