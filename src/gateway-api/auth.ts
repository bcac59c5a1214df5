// Access to the Gateway API: X-Tyk-Authorization must equal tyk.conf's
// secret, compared in constant time. An empty secret closes the API instead
// of leaving it open.
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { apiStatus } from "../gateway/errors.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

export function requireSecret(secret: string): MiddlewareHandler {
  const want = digest(secret);
  return async function gatewayApiAuth(c, next) {
    const got = c.req.header("x-tyk-authorization") ?? "";
    // Hashing first gives equal lengths, so the comparison time says nothing about the secret.
    if (secret === "" || !timingSafeEqual(digest(got), want)) {
      return apiStatus(403, { status: "error", message: "Attempted administrative access with invalid or missing key!" });
    }
    await next();
  };
}
