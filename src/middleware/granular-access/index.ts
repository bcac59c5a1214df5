// Tyk's GranularAccessMiddleware, after authentication whatever the method: when the session's access right for
// this API lists allowed_urls, the request's method and path must match one of them (403 "Access to this resource
// has been disallowed"). Sessions without allowed_urls pass at the cost of one lookup.

import { ownValue } from "../../config/records.ts";
import { TykMessage, tykError } from "../../gateway/errors.ts";
import { decodedPath } from "../../gateway/request-path.ts";
import { currentSession, type GatewayMiddleware } from "../../gateway/state.ts";
import { urlAllowed } from "../../policy/granular.ts";

export function granularAccess(): GatewayMiddleware {
  return function granularAccessMiddleware(c, next) {
    const st = c.var.gw;
    const allowed = ownValue(currentSession(st)?.access_rights, st.api.id)?.allowed_urls;
    // Matched as Go's r.URL.Path is: decoded, plugins' rewrites included.
    if (!allowed || allowed.length === 0 || urlAllowed(allowed, st.method, decodedPath(st.path))) return next();
    return Promise.resolve(tykError(403, TykMessage.resourceDisallowed));
  };
}
