// Tyk's auth token check (use_standard_auth): the key comes from the
// configured header (a "Bearer " prefix is dropped), or the query parameter
// or cookie when the definition says so; its session comes from the store.

import { TykMessage, tykError } from "../../gateway/errors.ts";
import { deleteHeader, type GatewayMiddleware, setAuthToken, setSession } from "../../gateway/state.ts";
import { isSessionExpired } from "../../store/session.ts";
import type { KeyStore } from "../../store/types.ts";

export interface StandardAuthOptions {
  store: KeyStore;
  headerName: string;
  useParam?: boolean;
  paramName?: string;
  useCookie?: boolean;
  cookieName?: string;
  /** Tyk's strip_auth_data: remove the key before the request goes upstream. */
  stripAuthData?: boolean;
}

function cookie(header: string | null, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

export function standardAuth(opts: StandardAuthOptions): GatewayMiddleware {
  const paramName = opts.paramName || opts.headerName;
  const cookieName = opts.cookieName || opts.headerName;
  return async function standardAuthMiddleware(c, next) {
    const st = c.var.gw;
    let key = st.headers.get(opts.headerName) ?? "";
    if (!key && opts.useParam) key = new URLSearchParams(st.query).get(paramName) ?? "";
    if (!key && opts.useCookie) key = cookie(st.headers.get("cookie"), cookieName) ?? "";
    key = key.replace(/^Bearer\s+/i, "").trim();
    if (!key) return tykError(401, TykMessage.authFieldMissing);
    const session = await opts.store.getSession(key);
    if (!session) return tykError(403, TykMessage.keyNotAuthorized);
    if (isSessionExpired(session, Date.now())) return tykError(401, TykMessage.keyExpired);
    if (session.is_inactive) return tykError(403, "Key is inactive, please renew");
    // As Tyk's AccessRightsCheck: no access rights = every API. Own keys only, so an API id such as "toString"
    // is never found on Object.prototype.
    const rights = session.access_rights;
    if (rights && Object.keys(rights).length > 0 && !Object.hasOwn(rights, st.api.id)) {
      return tykError(403, TykMessage.keyNotAuthorized);
    }
    setSession(st, session);
    setAuthToken(st, key);
    if (opts.stripAuthData) deleteHeader(st, opts.headerName);
    return next();
  };
}
