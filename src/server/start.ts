// Starts the gateway from a tyk.conf: logger, shim, plugin driver, key store,
// APIs, HTTP server, and the signals that stop (SIGTERM, SIGINT) or reload
// (SIGHUP) it.

import type { FSWatcher } from "node:fs";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import process from "node:process";
import { RedisAnalyticsSink } from "../analytics/redis-sink.ts";
import { type AnalyticsSink, JsonlFileSink } from "../analytics/sink.ts";
import { AnalyticsRecorder } from "../analytics/recorder.ts";
import { ClusterNotifier } from "../cluster/notifications.ts";
import { loadTykConf, resolvePaths, type TykConf } from "../config/tyk-conf.ts";
import { createLogger, type Logger } from "../log.ts";
import { Metrics } from "../metrics/index.ts";
import { PluginDriver } from "../plugin-driver/index.ts";
import { createUpstreamClient } from "../proxy/index.ts";
import { PolicyStore, policySource } from "../policy/store.ts";
import { ApiRegistry } from "../registry/index.ts";
import type { Runtime } from "../runtime/index.ts";
import { openShim } from "../shim/open.ts";
import { MemoryKeyStore } from "../store/index.ts";
import { createRedisKeyStore } from "../store/redis.ts";
import type { KeyStore } from "../store/types.ts";
import { GATEWAY_VERSION } from "../version.ts";
import { watchAppPath, watchPluginSources } from "../dev/watch.ts";
import { buildPlugin } from "../plugin-builder/index.ts";
import { SHIM_SOURCE_DIR } from "../shim/build.ts";
import { heldBodyLimits } from "../gateway/body.ts";
import { SqliteKeyStore } from "../store/sqlite.ts";
import type { WorkerLink } from "../supervisor/worker.ts";
import { createApp } from "./app.ts";

/** Start-up refused for a reason the operator can act on. */
export class StartupError extends Error {
  override name = "StartupError";
}

export interface RunningGateway {
  port: number;
  log: Logger;
  registry: ApiRegistry;
  /** Stops accepting, lets requests in flight finish (up to the grace period), then closes everything. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Development mode: watch app_path and plugin sources, rebuild and hot-swap on change. */
  dev?: boolean;
  /** Started by the supervisor as one of plugin_gateway.workers workers (see supervisor/worker.ts). */
  worker?: WorkerLink;
}

export async function startGateway(runtime: Runtime, confPath: string, opts: StartOptions = {}): Promise<RunningGateway> {
  const { conf, unknownFields } = loadTykConf(confPath);
  const worker = opts.worker;
  const log = createLogger(conf.log_level, worker ? { worker: worker.index } : {});
  for (const field of unknownFields) log.warn({ file: confPath, field }, `tyk.conf field ${field} is not implemented by this gateway; ignored`);
  const paths = resolvePaths(conf, confPath);
  const pg = conf.plugin_gateway;
  if (conf.secret === "") log.warn("tyk.conf secret is empty: the Gateway API (/tyk/) is disabled");

  const shim = openShim(runtime, { logLevel: conf.log_level, log: (m) => log.info(m) });
  const driver = new PluginDriver(shim, log);
  const redis = conf.storage.type === "redis" ? redisConnection(conf) : undefined;
  if (redis && (conf.storage.enable_cluster || conf.storage.addrs.length > 0 || conf.storage.master_name)) {
    log.warn("storage: Redis Cluster and Sentinel are not supported; connecting to storage.host:storage.port only");
  }
  const store: KeyStore = redis
    ? createRedisKeyStore({ ...redis, hashKeys: conf.hash_keys, timeoutMs: conf.storage.timeout * 1000, log })
    : worker
    ? new SqliteKeyStore({ path: worker.storePath, hashKeys: conf.hash_keys })
    : new MemoryKeyStore({ hashKeys: conf.hash_keys });
  // Gateways sharing one Redis reload together over Tyk's tyk.cluster.notifications channel.
  const notifier = redis
    ? new ClusterNotifier({
      ...redis,
      nodeId: `${hostname()}-${process.pid}`,
      nodeSecret: conf.node_secret,
      allowInsecureConfigs: conf.allow_insecure_configs,
      // The node that asks for a group reload reloads itself before answering.
      ignoreOwn: true,
      log,
    })
    : undefined;
  const metrics = new Metrics(() => shim.openRequests());
  // With Redis, records go where Tyk Pump reads them (tyk-system-analytics); otherwise to a JSON lines file.
  const sink: AnalyticsSink | undefined = !conf.enable_analytics ? undefined : redis
    ? new RedisAnalyticsSink({ ...redis, log })
    : new JsonlFileSink(paths.analytics_file, {
      destination: worker?.analytics,
      onError: (err) => log.error({ err: String(err), file: paths.analytics_file }, "analytics records could not be written"),
    });
  // Each record goes through its API's analytics plugin, if any, then to the sink.
  const analytics = sink && new AnalyticsRecorder({
    sink,
    hashKeys: conf.hash_keys,
    runPlugins: (items) => driver.runAnalytics(items),
    timeoutMs: pg.plugin_timeout_ms,
    log,
  });
  const policies = new PolicyStore(policySource(conf.policies, paths, log), log);
  const client = createUpstreamClient({ timeoutMs: upstreamTimeoutMs(conf) }, runtime.upstreamTransport());
  const registry = new ApiRegistry(shim, {
    driver,
    store,
    policies,
    metrics,
    log,
    client,
    gatewayVersion: GATEWAY_VERSION,
    baseDir: dirname(resolve(confPath)),
    pluginTimeoutMs: pg.plugin_timeout_ms,
    upstreamTimeoutMs: upstreamTimeoutMs(conf),
    rateLimitHeaders: conf.rate_limit_response_headers,
    hashKeys: conf.hash_keys,
    detailedRecording: conf.analytics_config.enable_detailed_recording,
  }, paths.app_path, conf.bundle_base_url || conf.enable_bundle_downloader ? {
    baseUrl: conf.bundle_base_url,
    middlewarePath: paths.middleware_path,
    publicKeyPath: paths.public_key_path || undefined,
    insecureSkipVerify: conf.bundle_insecure_skip_verify,
    enableDownloader: conf.enable_bundle_downloader,
    log,
  } : undefined);

  const report = await registry.reload();
  const failedPlugins = registry.apis.flatMap((a) => a.plugins.filter((p) => !p.ok).map((p) => `${a.id}: ${!p.ok && p.error}`));
  if (pg.strict_plugins && (failedPlugins.length > 0 || report.failed.length > 0)) {
    throw new StartupError(`strict_plugins is on and ${failedPlugins.length + report.failed.length} API or plugin failed to load:\n${[...report.failed.map((f) => f.error), ...failedPlugins].join("\n")}`);
  }
  log.info({ loaded: report.loaded, failed: report.failed.length }, `${report.loaded.length} API(s) loaded`);
  notifier?.onReload((n) => {
    log.info({ command: n.command, from: n.source }, "cluster notification: reloading APIs");
    return registry.reload().then(() => undefined);
  });

  const app = createApp({
    registry,
    driver,
    metrics,
    analytics,
    log,
    maxBodyBytes: conf.http_server_options.max_request_body_size,
    heldBodyLimits: heldBodyLimits(conf.http_server_options.max_request_body_size, conf.http_server_options.max_response_body_size, pg.max_held_body_bytes),
    skipUrlCleaning: conf.http_server_options.skip_url_cleaning,
    hashKeys: conf.hash_keys,
    hashKeyFunction: conf.hash_key_function,
    store,
    allowMasterKeys: conf.allow_master_keys,
    allowListing: !conf.hash_keys || conf.enable_hashed_keys_listing,
    secret: conf.secret,
    cluster: notifier,
    appPath: paths.app_path,
    policies,
    metricsPath: pg.metrics_path,
    reload: worker && (() => worker.reloadAll()),
    metricsText: worker && (() => worker.metricsText()),
  });
  const server = await runtime.serve({
    hostname: conf.listen_address || "0.0.0.0",
    port: worker ? worker.port : conf.listen_port,
    reusePort: worker !== undefined,
    fetch: (req, conn) => app.fetch(req, conn),
    readTimeoutMs: conf.http_server_options.read_timeout * 1000,
    writeTimeoutMs: conf.http_server_options.write_timeout * 1000,
    // Descriptors exhausted (too many connections at once): the server keeps listening and retries.
    onAcceptError: (err, retryMs) => log.warn({ err: err.message, retry_ms: retryMs }, "accepting a connection failed"),
  });
  // A worker's start is not the gateway's: the supervisor says "gateway listening" once every worker is ready.
  log.info({ port: server.port, runtime: runtime.name, version: GATEWAY_VERSION }, `${worker ? "worker" : "gateway"} listening on ${conf.listen_address || "0.0.0.0"}:${server.port}`);
  await worker?.serving(server.port, {
    reload: () => registry.reload(),
    snapshot: () => metrics.snapshot(),
    quiet: () => (log.level = "silent"),
  });

  const watchers: FSWatcher[] = [];
  const reloadApis = worker ? () => worker.reloadAll() : () => registry.reload();
  const watchesFiles = worker?.watchesFiles ?? true;
  if (watchesFiles && (opts.dev || pg.watch_app_path)) watchers.push(watchAppPath(reloadApis, paths.app_path, log));
  if (watchesFiles && opts.dev) {
    const info = shim.info();
    watchers.push(...watchPluginSources(registry, reloadApis, {
      build: async (pluginDir, output) => {
        await buildPlugin({ pluginDir, output, shimDir: SHIM_SOURCE_DIR, shimGo: info.go, shimDeps: info.deps, gatewayVersion: GATEWAY_VERSION });
      },
    }, log));
  }

  // Records written by plugins outside calls (their goroutines) reach the log within a second.
  const drain = setInterval(() => driver.drainLogs(), 1000);
  (drain as { unref?: () => void }).unref?.();

  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      clearInterval(drain);
      for (const w of watchers) w.close();
      const graceMs = conf.graceful_shutdown_timeout_duration * 1000;
      log.info({ grace_ms: graceMs }, "shutting down: no new connections, finishing requests in flight");
      const timedOut = await Promise.race([
        server.shutdown().then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), graceMs)),
      ]);
      if (timedOut) log.warn("grace period over with requests still in flight");
      client.close();
      await analytics?.close();
      notifier?.close();
      await store.close();
      log.info("gateway stopped");
    })();
  return { port: server.port, log, registry, stop };
}

function redisConnection(conf: TykConf) {
  const s = conf.storage;
  return {
    host: s.host,
    port: s.port,
    username: s.username || undefined,
    password: s.password || undefined,
    database: s.database,
    useSsl: s.use_ssl,
    sslInsecureSkipVerify: s.ssl_insecure_skip_verify,
  };
}

function upstreamTimeoutMs(conf: TykConf): number {
  return conf.proxy_default_timeout > 0 ? conf.proxy_default_timeout * 1000 : 30_000;
}

/** Runs until SIGTERM/SIGINT (exit 0 after a graceful stop); SIGHUP reloads the APIs. */
export async function runGateway(runtime: Runtime, confPath: string, opts: StartOptions = {}): Promise<number> {
  const gw = await startGateway(runtime, confPath, opts);
  process.on("SIGHUP", () => {
    gw.log.info("SIGHUP: reloading APIs");
    void gw.registry.reload();
  });
  await new Promise<void>((done) => {
    const onSignal = (sig: string) => {
      gw.log.info({ signal: sig }, "signal received");
      gw.stop().then(done);
    };
    process.on("SIGTERM", () => onSignal("SIGTERM"));
    process.on("SIGINT", () => onSignal("SIGINT"));
  });
  return 0;
}
