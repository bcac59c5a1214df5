// Tyk's auth token check (use_standard_auth): the key comes from the
// configured header (a "Bearer " prefix is dropped), or the query parameter
// or cookie when the definition says so; its session comes from the store.
// What Tyk does after authentication (policies, strip_auth_data, expiry,
// access rights, limits) are later steps of the chain, shared by every auth
// method.

import { TykMessage, tykError } from "../../gateway/errors.ts";
import { type GatewayMiddleware, setAuthToken, setSession } from "../../gateway/state.ts";
import type { KeyStore } from "../../store/types.ts";

export interface StandardAuthOptions {
  store: KeyStore;
  headerName: string;
  useParam?: boolean;
  paramName?: string;
  useCookie?: boolean;
  cookieName?: string;
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
    setSession(st, session);
    setAuthToken(st, key);
    return next();
  };
}
