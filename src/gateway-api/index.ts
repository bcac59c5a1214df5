// The Gateway API under /tyk/, behind the secret: reload, APIs, keys, policies, metrics.
import { Hono } from "hono";
import type { ClusterNotifier } from "../cluster/notifications.ts";
import { apiStatus } from "../gateway/errors.ts";
import { type Metrics, PROMETHEUS_CONTENT_TYPE } from "../metrics/index.ts";
import { StoreUnavailableError } from "../store/redis.ts";
import type { ApiRegistry, LoadReport } from "../registry/index.ts";
import { apisRoutes } from "./apis.ts";
import { requireSecret } from "./auth.ts";
import { RequestMalformed } from "./body.ts";
import { keysRoutes, type KeysOptions } from "./keys.ts";
import { policiesRoutes } from "./policies.ts";

export interface GatewayApiOptions extends KeysOptions {
  secret: string;
  appPath: string;
  registry: ApiRegistry;
  metrics: Metrics;
  /** Where the Prometheus metrics are served, under /tyk/ (e.g. "/tyk/metrics"). */
  metricsPath: string;
  /** Gateways sharing Redis: group reloads and API changes reach all of them. */
  cluster?: ClusterNotifier;
  /** Reloads the APIs for /tyk/reload; a worker's reloads every worker. The registry's own reload by default. */
  reload?: () => Promise<LoadReport>;
  /** The metrics text; a worker's covers every worker. This process's metrics by default. */
  metricsText?: () => Promise<string>;
  /** Where an unexpected failure of a Gateway API call is logged (its answer is a JSON 500). */
  log?: { error(fields: object, msg: string): void };
}

export function gatewayApi(opts: GatewayApiOptions): Hono {
  const api = new Hono();
  api.use("*", requireSecret(opts.secret));
  // Every answer is JSON in Tyk's shape, failures included (Hono's default would be a plain-text 500).
  api.onError((err, c) => {
    if (err instanceof RequestMalformed) return apiStatus(400, { status: "error", message: err.message });
    if (err instanceof StoreUnavailableError) return apiStatus(503, { status: "error", message: err.message });
    opts.log?.error({ path: c.req.path, err: err.stack ?? String(err) }, "Gateway API call failed");
    return apiStatus(500, { status: "error", message: "Internal Server Error" });
  });
  // The answer waits for the reload, so ?block=true is the only behaviour there is.
  const reload = async () => {
    const report = await (opts.reload ?? (() => opts.registry.reload()))();
    return Response.json({ status: "ok", message: "", loaded: report.loaded.length, failed: report.failed });
  };
  api.get("/reload", reload);
  api.get("/reload/", reload);
  // In a group, tell every other gateway, then reload here (own notifications are ignored).
  const reloadGroup = async () => {
    if (opts.cluster && !(await opts.cluster.publish("GroupReload"))) {
      return apiStatus(503, { status: "error", message: "the group could not be told: Redis is unreachable (this gateway was not reloaded)" });
    }
    return reload();
  };
  api.get("/reload/group", reloadGroup);
  // Alone, as in Tyk, an API or policy change is served after a reload; in a group it reloads every gateway at once.
  const onChange = opts.cluster ? () => reloadGroup().then(() => undefined) : undefined;
  api.route("/apis", apisRoutes(opts.appPath, onChange));
  api.route("/policies", policiesRoutes(opts.policies, onChange));
  api.route("/keys", keysRoutes(opts));
  api.get(opts.metricsPath.replace(/^\/tyk/, ""), async () =>
    new Response(opts.metricsText ? await opts.metricsText() : opts.metrics.render(), {
      headers: { "content-type": PROMETHEUS_CONTENT_TYPE },
    }));
  return api;
}
