// Tyk's AccessRightsCheck, after authentication whatever the method: a session with access rights must list this
// API (by own key: an API id such as "toString" is never found on Object.prototype), and, on a versioned API, the
// version requests use. No access rights at all means every API.

import type { ApiDefinition } from "../../config/api-definition.ts";
import { ownValue } from "../../config/records.ts";
import { TykMessage, tykError } from "../../gateway/errors.ts";
import { currentSession, type GatewayMiddleware } from "../../gateway/state.ts";

/**
 * The step. This gateway serves one version per API (default_version, else the first listed), so on a versioned API
 * (not_versioned false) the access right's `versions` must name it.
 */
export function accessRights(def: ApiDefinition): GatewayMiddleware {
  const vd = def.version_data;
  const version = vd.not_versioned ? undefined : vd.default_version || Object.keys(vd.versions)[0];
  return function accessRightsMiddleware(c, next) {
    const st = c.var.gw;
    const rights = currentSession(st)?.access_rights;
    if (!rights) return next();
    const access = ownValue(rights, st.api.id);
    if (access === undefined) {
      if (Object.keys(rights).length === 0) return next();
      return Promise.resolve(tykError(403, TykMessage.keyNotAuthorized));
    }
    if (version !== undefined && !(access.versions ?? []).includes(version)) {
      return Promise.resolve(tykError(403, TykMessage.keyNotAuthorized));
    }
    return next();
  };
}
