export type UpstreamErrorKind = "unreachable" | "timeout";

/**
 * The upstream gave no response: "unreachable" (refused, DNS failure, reset before a response; the caller answers 502)
 * or "timeout" (no response headers within timeoutMs; the caller answers 504).
 */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  readonly kind: UpstreamErrorKind;

  constructor(kind: UpstreamErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }
}
