// Session behaviour shared by stores and the gateway.
import { type SessionState, sessionStateSchema } from "./types.ts";

/** Parses stored session JSON (as Tyk writes it into Redis); throws on anything that is not a session object. */
export function parseSession(json: string): SessionState {
  return sessionStateSchema.parse(JSON.parse(json));
}

/**
 * Tyk's KeyExpired: `expires` of 1 or more is a unix time after which the key is refused (401 "Key has expired,
 * please renew"); 0 or absent never expires.
 */
export function isSessionExpired(session: SessionState, nowMs: number): boolean {
  const expires = session.expires ?? 0;
  return expires >= 1 && nowMs > expires * 1000;
}
