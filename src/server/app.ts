// The gateway as a Hono app: /hello, the Gateway API under /tyk/, and every
// other path to the API registry.
import { Hono } from "hono";
import { httpBadRequest } from "../gateway/errors.ts";
import type { GatewayEnv } from "../gateway/state.ts";
import { gatewayApi, type GatewayApiOptions } from "../gateway-api/index.ts";
import { GATEWAY_VERSION } from "../version.ts";
import { dispatch, type DispatchDeps } from "./dispatch.ts";

// Go's httpguts.ValidHostHeader: the bytes a Host header may hold (host, port, IPv6 brackets, zone, sub-delims).
const VALID_HOST = /^[A-Za-z0-9!$%&'()*+,\-.:;=[\]_~]*$/;

export function createApp(deps: DispatchDeps & GatewayApiOptions): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  // The runtimes build the request's URL from the Host header as sent: a Host holding "/", "@", "#" or a space
  // moves where the path seems to start, and routing would follow the header instead of the request line. Go's
  // server (Tyk's) refuses such a Host before any handler; so does this, before any route.
  app.use(async (c, next) => {
    const host = c.req.raw.headers.get("host");
    if (host !== null && !VALID_HOST.test(host)) return httpBadRequest("malformed Host header");
    await next();
  });
  // Tyk's health check answers without auth.
  app.get("/hello", (c) =>
    c.json({ status: "pass", version: GATEWAY_VERSION, description: "Tyk GW", details: { apis: deps.registry.apis.length } })
  );
  app.route("/tyk", gatewayApi(deps));
  app.all("*", dispatch(deps));
  return app;
}
