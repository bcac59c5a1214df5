// Bun binding of the shim: bun:ffi dlopen plus a thread-safe JSCallback.
import { dlopen, FFIType, JSCallback } from "bun:ffi";
import { type OpenRawShim, type ParamKind, type RawSymbols, SYMBOLS, type SymbolName } from "./abi.ts";
import { missingSymbolError } from "./errors.ts";

const param = (k: ParamKind) => (k === "u32" ? FFIType.u32 : k === "ptr" ? FFIType.ptr : FFIType.function);

function definitions(names: SymbolName[]) {
  return Object.fromEntries(
    names.map((n) => [
      n,
      { args: SYMBOLS[n].params.map(param), returns: SYMBOLS[n].result === "u32" ? FFIType.u32 : FFIType.i32 },
    ]),
  );
}

export const openBun: OpenRawShim = (path, onComplete) => {
  const names = Object.keys(SYMBOLS) as SymbolName[];
  let lib: ReturnType<typeof dlopen>;
  try {
    lib = dlopen(path, definitions(names));
  } catch (err) {
    const missing = names.filter((n) => {
      try {
        dlopen(path, definitions([n])).close();
        return false;
      } catch {
        return true;
      }
    });
    throw missingSymbolError(path, missing, err);
  }
  const callback = new JSCallback(() => onComplete(), {
    args: [FFIType.u32],
    returns: FFIType.void,
    threadsafe: true,
  });
  const raw = lib.symbols as unknown as Record<SymbolName, (...a: unknown[]) => number>;
  const symbols = {
    ...raw,
    shim_init: (_fn: unknown, level: Uint8Array, len: number) => raw.shim_init(callback.ptr, level, len),
  } as unknown as RawSymbols;
  // A thread-safe JSCallback does not hold Bun's event loop open; an interval does.
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  return {
    symbols,
    setPending: (pending) => {
      if (pending && !keepAlive) keepAlive = setInterval(() => {}, 1 << 30);
      if (!pending && keepAlive) {
        clearInterval(keepAlive);
        keepAlive = undefined;
      }
    },
  };
};
