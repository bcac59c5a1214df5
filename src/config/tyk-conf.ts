// tyk.conf: the gateway's own configuration, read from the user's existing Tyk file. JSON names and defaults are
// Tyk's (config/config.go); our own settings live in the `plugin_gateway` section, which Tyk ignores.
//
// Defaults: when Tyk loads a file, absent fields keep Go's zero value ("", 0, false) unless the gateway documents
// another default; the defaults below follow that, except where noted.
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { flag, list, seconds, section, text, typeError } from "./fields.ts";
import { parseConfig, readJsonFile } from "./validate.ts";

const port = (defaultValue: number) =>
  z.number(typeError("expected a port number")).int().min(0).max(65535).default(defaultValue);

/** Log levels we run with (pino's names for Tyk's levels). */
export type LogLevel = "debug" | "info" | "warn" | "error";

// Tyk lower-cases log_level and knows debug, info, warn and error; "" means info. "warning" is logrus's spelling.
// A Map: the name is user data, and "constructor" must not find Object.prototype's.
const LOG_LEVELS: ReadonlyMap<string, LogLevel> = new Map([
  ["", "info"],
  ["debug", "debug"],
  ["info", "info"],
  ["warn", "warn"],
  ["warning", "warn"],
  ["error", "error"],
]);

const logLevel = z
  .string()
  .default("info")
  .transform((v, ctx): LogLevel => {
    const level = LOG_LEVELS.get(v.toLowerCase());
    if (level) return level;
    ctx.addIssue({
      code: "custom",
      message: `expected one of "debug", "info", "warn", "error", got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  });

/**
 * `storage`: where keys, quotas and rate-limit counters live. Tyk only knows Redis ("redis", its default); we add
 * "embedded", an in-process store needing no server, and make it our default. The Redis fields are Tyk's so a
 * Redis store can be added later without changing the file format.
 */
export const StorageSchema = z.object({
  type: z.enum(["embedded", "redis"]).default("embedded"),
  host: text("localhost"),
  port: port(6379),
  /** Cluster / sentinel addresses, "host:port". */
  addrs: list(z.string()),
  master_name: text(),
  sentinel_password: text(),
  username: text(),
  password: text(),
  database: z.number().int().min(0).default(0),
  /** Network timeout in seconds; Tyk: "Default value 5 seconds". */
  timeout: seconds(5, { integer: true }),
  enable_cluster: flag(),
  use_ssl: flag(),
  ssl_insecure_skip_verify: flag(),
  optimisation_max_idle: z.number().int().min(0).default(100),
  optimisation_max_active: z.number().int().min(0).default(500),
});
export type StorageConf = z.output<typeof StorageSchema>;

/** `http_server_options`: the listener facing API consumers. */
export const HttpServerOptionsSchema = z.object({
  /**
   * Seconds; Tyk: "not setting this, or setting it to 0, defaults to 120 seconds". A request's headers must arrive
   * within it, and (Go's IdleTimeout falls back to it, as Tyk sets none) a keep-alive connection left idle that long
   * is closed.
   */
  read_timeout: seconds(120, { integer: true }),
  /** Seconds, defaults to 120 as read_timeout: a request not answered in full that long after its headers loses its connection. */
  write_timeout: seconds(120, { integer: true }),
  /**
   * Bytes; 0 = no limit. Tyk answers 413 above it, before anything goes upstream. Also the most a request body held in
   * memory (for Go plugins) may have; when 0, that is gateway/body.ts's DEFAULT_HELD_BODY_LIMIT.
   */
  max_request_body_size: z.number().int().min(0).default(0),
  /**
   * Bytes; 0 = no limit in Tyk, which applies it only to answers it holds in memory to transform them; here, those
   * response hooks get (over it: 500 "Response body too large"). When 0, DEFAULT_HELD_BODY_LIMIT.
   */
  max_response_body_size: z.number().int().min(0).default(0),
  /**
   * Tyk: "Allow the use of a double slash in a URL path". Off (Tyk's default): a path with dot segments or
   * duplicate slashes is answered 301 to its clean form, as Tyk's router does. On: duplicate slashes pass;
   * dot segments are refused (400), so an upstream resolving them never serves a path routing did not see.
   */
  skip_url_cleaning: flag(),
});
export type HttpServerOptions = z.output<typeof HttpServerOptionsSchema>;

/**
 * `policies`: where security policies come from. As in Tyk OSS, policy_path (a directory of policy files, managed
 * through /tyk/policies) wins over policy_record_name (one JSON file mapping ids to policies); with neither there are
 * no policies. policy_source "service" and "rpc" (a Dashboard, MDCB) are not supported.
 */
export const PoliciesSchema = z.object({
  policy_source: z.enum(["", "file", "service", "rpc"]).default(""),
  policy_record_name: text(),
  policy_path: text(),
  policy_connection_string: text(),
  /** Deprecated in Tyk and unused there too. */
  allow_explicit_policy_id: flag(),
});
export type PoliciesConf = z.output<typeof PoliciesSchema>;

/** `analytics_config`: how analytics records are made (with enable_analytics). */
export const AnalyticsConfigSchema = z.object({
  /** Every API's records carry the whole request and response (raw_request, raw_response). */
  enable_detailed_recording: flag(),
});

/** `plugin_gateway`: this gateway's own settings. Tyk ignores the section, so a shared tyk.conf stays valid. */
export const PluginGatewaySchema = z.object({
  /** A plugin call not returned by then fails its request with 504. */
  plugin_timeout_ms: z.number().int().positive().default(30000),
  /** Where analytics records are appended, one JSON object per line. Relative to the conf file (resolvePaths). */
  analytics_file: text("./analytics.jsonl"),
  /** When true, a plugin that fails to load refuses start-up instead of failing only its API. */
  strict_plugins: flag(),
  /** Reload API definitions when files under app_path change. */
  watch_app_path: flag(),
  /**
   * Worker processes serving the listen port (Linux: SO_REUSEPORT), under a supervisor that restarts any that dies;
   * "auto" is one per core. 1 (the default) is one process and no supervisor, as Tyk runs: see the README for why.
   */
  workers: z
    .union([z.number().int().min(1).max(1024), z.literal("auto")], { error: () => 'expected 1 to 1024 (workers) or "auto"' })
    .default(1),
  metrics_path: z
    .string()
    .default("/tyk/metrics")
    .refine((p) => p.startsWith("/"), { message: 'must start with "/"' }),
  /**
   * Bytes of bodies held in memory at once (request bodies for Go plugins, answers for response hooks), all requests
   * together; a request that would take more gets 503. 0 = no limit. The default, 64 MiB, is six bodies at the
   * default per-body limit: that bounds one request, this bounds many at once (64 concurrent 10 MiB uploads to a Go
   * plugin API took 1.3 to 2.1 GiB without it). A held byte costs about three in memory while a Go hook has it.
   */
  max_held_body_bytes: z.number().int().min(0).default(64 << 20),
});
export type PluginGatewayConf = z.output<typeof PluginGatewaySchema>;

export const TykConfSchema = z.object(
  {
    listen_address: text(),
    /** 0 picks a free port (useful in tests). */
    listen_port: port(8080),
    secret: text(),
    app_path: text("./apps/"),
    middleware_path: text("./middleware/"),
    log_level: logLevel,
    enable_bundle_downloader: flag(),
    bundle_base_url: text(),
    bundle_insecure_skip_verify: flag(),
    public_key_path: text(),
    /** Tyk's field is a plain bool, so a file without it means false; Tyk's sample confs set it to true. */
    hash_keys: flag(),
    /** "" is Tyk's legacy murmur32 key format; naming any function (even "murmur32") switches key formats. */
    hash_key_function: z.enum(["", "murmur32", "murmur64", "murmur128", "sha256"]).default(""),
    enable_hashed_keys_listing: flag(),
    /** Tyk refuses to create keys without access rights unless this is on (such keys reach every API). */
    allow_master_keys: flag(),
    /** Signs cluster notifications (Redis pub/sub) and checks received ones. */
    node_secret: text(),
    /** Accept cluster notifications whatever their signature. */
    allow_insecure_configs: flag(),
    enable_analytics: flag(),
    analytics_config: section(AnalyticsConfigSchema),
    storage: section(StorageSchema),
    http_server_options: section(HttpServerOptionsSchema),
    /** Upstream timeout in seconds; Tyk: "Default: 30 seconds". */
    proxy_default_timeout: seconds(30),
    /** Seconds to let in-flight requests finish on shutdown; Tyk: "Defaults to 30 seconds". */
    graceful_shutdown_timeout_duration: seconds(30, { integer: true }),
    /** Disable keep-alive between clients and the gateway. */
    close_connections: flag(),
    /**
     * Which limit the X-RateLimit-* response headers describe. Not found in the Tyk config.go we could read; kept
     * so a conf that sets it validates, with "quotas" (Tyk's historical behaviour) as the default.
     */
    rate_limit_response_headers: z.enum(["quotas", "rate_limits"]).default("quotas"),
    policies: section(PoliciesSchema),
    plugin_gateway: section(PluginGatewaySchema),
  },
  typeError("expected a JSON object (the tyk.conf settings)"),
);
export type TykConf = z.output<typeof TykConfSchema>;

/** Reads and validates a tyk.conf. Throws ConfigError naming the file (and field) when it cannot be used. */
export function loadTykConf(path: string): { conf: TykConf; unknownFields: string[] } {
  const { value, unknownFields } = parseConfig(TykConfSchema, readJsonFile(path), path);
  return { conf: value, unknownFields };
}

/** The file-system paths of a TykConf, made absolute. Empty optional paths stay "" (unset). */
export interface ResolvedPaths {
  app_path: string;
  middleware_path: string;
  /** "" when not set. */
  public_key_path: string;
  /** "" when not set. */
  analytics_file: string;
  /** policies.policy_path; "" when not set. */
  policy_path: string;
  /** policies.policy_record_name; "" when not set. */
  policy_record_name: string;
}

/**
 * Makes the conf's relative paths absolute. Tyk resolves them against its working directory; we resolve them
 * against the directory of the conf file instead, so `./gateway --conf examples/tyk.conf` finds examples/apps/
 * whatever directory it is started from. Absolute paths are kept as they are.
 */
export function resolvePaths(conf: TykConf, confFile: string): ResolvedPaths {
  const base = dirname(resolve(confFile));
  const abs = (p: string) => resolve(base, p);
  const optional = (p: string) => (p === "" ? "" : abs(p));
  return {
    app_path: abs(conf.app_path),
    middleware_path: abs(conf.middleware_path),
    public_key_path: optional(conf.public_key_path),
    analytics_file: optional(conf.plugin_gateway.analytics_file),
    policy_path: optional(conf.policies.policy_path),
    policy_record_name: optional(conf.policies.policy_record_name),
  };
}
