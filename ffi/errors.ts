/** Errors of the FFI layer, each saying what to do about it. */
export class ShimLoadError extends Error {
  override name = "ShimLoadError";
}

export function missingSymbolError(path: string, missing: string[], cause: unknown): ShimLoadError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ShimLoadError(
    missing.length > 0
      ? `shim ${path} lacks symbol${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: it was built from another version of shim-go (rebuild it with \`npm run build:shim\`)`
      : `shim ${path} could not be loaded: ${detail}`,
    { cause },
  );
}
