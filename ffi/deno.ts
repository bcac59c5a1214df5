// Deno binding of the shim: Deno.dlopen plus a thread-safe completion callback.
import { type OpenRawShim, type ParamKind, type RawSymbols, SYMBOLS, type SymbolName } from "./abi.ts";
import { missingSymbolError } from "./errors.ts";

// deno-lint-ignore no-explicit-any
const Deno_ = (globalThis as any).Deno;

const param = (k: ParamKind) => (k === "u32" ? "u32" : k === "ptr" ? "buffer" : "function");

function definitions(names: SymbolName[]) {
  return Object.fromEntries(
    names.map((n) => [n, { parameters: SYMBOLS[n].params.map(param), result: SYMBOLS[n].result }]),
  );
}

export const openDeno: OpenRawShim = (path, onComplete) => {
  const names = Object.keys(SYMBOLS) as SymbolName[];
  // deno-lint-ignore no-explicit-any
  let lib: any;
  try {
    lib = Deno_.dlopen(path, definitions(names));
  } catch (err) {
    const missing = names.filter((n) => {
      try {
        Deno_.dlopen(path, definitions([n])).close();
        return false;
      } catch {
        return true;
      }
    });
    throw missingSymbolError(path, missing, err);
  }
  const callback = Deno_.UnsafeCallback.threadSafe({ parameters: ["u32"], result: "void" }, () => onComplete());
  callback.unref();
  const raw = lib.symbols as Record<SymbolName, (...a: unknown[]) => number>;
  const symbols = {
    ...raw,
    shim_init: (_fn: unknown, level: Uint8Array, len: number) => raw.shim_init(callback.pointer, level, len),
  } as unknown as RawSymbols;
  return {
    symbols,
    setPending: (pending) => (pending ? callback.ref() : callback.unref()),
  };
};
