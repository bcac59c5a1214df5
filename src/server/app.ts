// The gateway as a Hono app: /hello, the Gateway API under /tyk/, and every
// other path to the API registry.
import { Hono } from "hono";
import type { GatewayEnv } from "../gateway/state.ts";
import { gatewayApi, type GatewayApiOptions } from "../gateway-api/index.ts";
import { GATEWAY_VERSION } from "../version.ts";
import { dispatch, type DispatchDeps } from "./dispatch.ts";

export function createApp(deps: DispatchDeps & GatewayApiOptions): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  // Tyk's health check answers without auth.
  app.get("/hello", (c) =>
    c.json({ status: "pass", version: GATEWAY_VERSION, description: "Tyk GW", details: { apis: deps.registry.apis.length } })
  );
  app.route("/tyk", gatewayApi(deps));
  app.all("*", dispatch(deps));
  return app;
}
