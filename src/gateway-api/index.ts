// The Gateway API under /tyk/, behind the secret: reload, APIs, keys, metrics.
import { Hono } from "hono";
import type { Metrics } from "../metrics/index.ts";
import type { ApiRegistry } from "../registry/index.ts";
import { apisRoutes } from "./apis.ts";
import { requireSecret } from "./auth.ts";
import { keysRoutes, type KeysOptions } from "./keys.ts";

export interface GatewayApiOptions extends KeysOptions {
  secret: string;
  appPath: string;
  registry: ApiRegistry;
  metrics: Metrics;
  /** Where the Prometheus metrics are served, under /tyk/ (e.g. "/tyk/metrics"). */
  metricsPath: string;
}

export function gatewayApi(opts: GatewayApiOptions): Hono {
  const api = new Hono();
  api.use("*", requireSecret(opts.secret));
  // The answer waits for the reload, so ?block=true is the only behaviour there is.
  const reload = async () => {
    const report = await opts.registry.reload();
    return Response.json({ status: "ok", message: "", loaded: report.loaded.length, failed: report.failed });
  };
  api.get("/reload", reload);
  api.get("/reload/", reload);
  api.get("/reload/group", reload);
  api.route("/apis", apisRoutes(opts.appPath));
  api.route("/keys", keysRoutes(opts));
  api.get(opts.metricsPath.replace(/^\/tyk/, ""), () =>
    new Response(opts.metrics.render(), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } })
  );
  return api;
}
