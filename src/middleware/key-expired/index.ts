// Tyk's KeyExpired, after authentication whatever the method: an inactive key is refused (403 "Key is inactive,
// please renew"), then an expired one (401 "Key has expired, please renew": `expires` of 1 or more is a Unix time).

import { TykMessage, tykError } from "../../gateway/errors.ts";
import { currentSession, type GatewayMiddleware } from "../../gateway/state.ts";
import { isSessionExpired } from "../../store/session.ts";

/** The step; a request that reaches it without a session gets Tyk's 400. */
export function keyExpired(): GatewayMiddleware {
  return function keyExpiredMiddleware(c, next) {
    const session = currentSession(c.var.gw);
    if (!session) return Promise.resolve(tykError(400, TykMessage.sessionMissing));
    if (session.is_inactive) return Promise.resolve(tykError(403, TykMessage.keyInactive));
    if (isSessionExpired(session, Date.now())) return Promise.resolve(tykError(401, TykMessage.keyExpired));
    return next();
  };
}
