// The TypeScript mirror of shim-go/include/shim.h. test/ffi/abi.test.ts checks
// that the two agree (version, statuses, every symbol and its arity).

export const SHIM_ABI_VERSION = 5;

export const Status = {
  OK: 0,
  PENDING: 1,
  E_GONE: 2,
  E_BAD_STATE: 3,
  E_PANIC: 4,
  E_LOAD: 5,
  E_BAD_INPUT: 6,
  E_BUFFER: 7,
  E_BUSY: 8,
} as const;
export type StatusCode = (typeof Status)[keyof typeof Status];

export const statusName = (code: number): string =>
  Object.entries(Status).find(([, v]) => v === code)?.[0] ?? `UNKNOWN(${code})`;

export const Kind = { REQUEST: 1, RESPONSE: 2, ANALYTICS: 3 } as const;
export type HookKind = (typeof Kind)[keyof typeof Kind];

/** Parameter kinds, neutral between Deno and Bun. `ptr` is a borrowed TypedArray. */
export type ParamKind = "u32" | "ptr" | "fn";
export type ResultKind = "u32" | "i32";

export interface SymbolSpec {
  readonly params: readonly ParamKind[];
  readonly result: ResultKind;
}

/** Every export of the shim. Both runtime bindings are generated from this table. */
export const SYMBOLS = {
  shim_abi_version: { params: [], result: "u32" },
  shim_info: { params: ["ptr", "u32", "ptr"], result: "i32" },
  shim_init: { params: ["fn", "ptr", "u32"], result: "i32" },
  shim_plugin_load: { params: ["ptr", "u32", "ptr", "ptr", "u32", "ptr"], result: "i32" },
  shim_plugin_check: { params: ["ptr", "u32", "ptr", "u32", "ptr"], result: "i32" },
  shim_api_register: { params: ["ptr", "u32", "ptr", "ptr", "u32", "ptr"], result: "i32" },
  shim_api_release: { params: ["u32"], result: "i32" },
  shim_request_run: { params: ["u32", "u32", "u32", "ptr", "u32", "ptr", "ptr", "u32", "ptr"], result: "i32" },
  shim_requests_release: { params: ["ptr", "u32"], result: "u32" },
  shim_runs_start: { params: ["ptr", "u32"], result: "u32" },
  shim_request_session: { params: ["u32", "ptr", "u32", "ptr"], result: "i32" },
  shim_requests_open: { params: [], result: "u32" },
  shim_analytics_run: { params: ["u32", "ptr", "u32", "ptr", "u32", "ptr"], result: "i32" },
  shim_completions_take: { params: ["ptr", "u32", "ptr"], result: "i32" },
  shim_result_take: { params: ["u32", "ptr", "u32", "ptr"], result: "i32" },
  shim_call_abandon: { params: ["u32"], result: "i32" },
  shim_logs_drain: { params: ["ptr", "u32", "ptr"], result: "i32" },
} as const satisfies Record<string, SymbolSpec>;

export type SymbolName = keyof typeof SYMBOLS;

type Arg<K extends ParamKind> = K extends "u32" ? number : K extends "ptr" ? Uint8Array | Uint32Array | null : unknown;
type Args<P extends readonly ParamKind[]> = { [I in keyof P]: P[I] extends ParamKind ? Arg<P[I]> : never };

/**
 * The raw shim as a runtime binding exposes it. The completion callback (the
 * only `fn` parameter) is created by the binding itself, so callers of
 * `shim_init` pass `null` for it.
 */
export type RawSymbols = {
  [N in SymbolName]: (...args: Args<(typeof SYMBOLS)[N]["params"]>) => number;
};

export interface RawShim {
  readonly symbols: RawSymbols;
  /** Keeps the event loop alive while runs are outstanding; called only when the state flips. */
  setPending(pending: boolean): void;
}

/** What a runtime binding (ffi/deno.ts, ffi/bun.ts) provides. `onComplete`: handed-off runs have ended (see shim.h). */
export type OpenRawShim = (path: string, onComplete: () => void) => RawShim;
