// Tyk's StripAuth (strip_auth_data), after post_key_auth whatever the auth method: the auth header of each of the
// API's auth configs (auth_configs, else auth) is removed, and from the Cookie header the first cookie whose text
// starts with the cookie name (cookie_name, else the header name), as Tyk's prefix match does. Later hooks and the
// upstream never see them. A key sent as a query parameter is not removed (not supported yet).

import type { ApiDefinition } from "../../config/api-definition.ts";
import { deleteHeader, type GatewayMiddleware, type RequestState } from "../../gateway/state.ts";

/** Sets a request header; the next Go run gets it. */
function setHeader(st: RequestState, name: string, value: string): void {
  st.headers.set(name, value);
  (st.goChanges.headers ??= []).push([name, [value]]);
}

/** The step (Tyk adds it only with strip_auth_data). */
export function stripAuth(def: Pick<ApiDefinition, "auth" | "auth_configs">): GatewayMiddleware {
  const configs = Object.keys(def.auth_configs).length > 0 ? Object.values(def.auth_configs) : [def.auth];
  const names = configs.map((c) => ({ header: c.auth_header_name || "Authorization", cookie: c.cookie_name || c.auth_header_name || "Authorization" }));
  return function stripAuthMiddleware(c, next) {
    const st = c.var.gw;
    for (const { header, cookie } of names) {
      deleteHeader(st, header);
      const cookies = (st.headers.get("cookie") ?? "").split(";");
      const i = cookies.findIndex((part) => part.trim().startsWith(cookie));
      if (i >= 0) {
        cookies.splice(i, 1);
        setHeader(st, "cookie", cookies.join(";"));
      }
    }
    return next();
  };
}
