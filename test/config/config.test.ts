// Configuration loading: tyk.conf and Tyk Classic API definitions, under Deno and Bun. Fixtures are written to a
// fresh temp dir per test, except the dashboard-style export under fixtures/.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import {
  compileTykPathPattern,
  ConfigError,
  findJsonSyntaxError,
  loadApiDefinitions,
  loadTykConf,
  parseApiDefinition,
  parseConfig,
  readJsonFile,
  resolvePaths,
  TykConfSchema,
} from "../../src/config/index.ts";
import { configError } from "../helpers/config.ts";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

// One scratch root for the whole file, removed when the process ends (tests are flat: no suite hooks). Bun emits
// process "exit"; `deno test` does not, but dispatches "unload" on globalThis.
const SCRATCH = mkdtempSync(join(tmpdir(), "gw-config-"));
const removeScratch = () => rmSync(SCRATCH, { recursive: true, force: true });
process.on("exit", removeScratch);
globalThis.addEventListener?.("unload", removeScratch);

function tempDir(): string {
  return mkdtempSync(join(SCRATCH, "t-"));
}

function writeJson(dir: string, name: string, value: unknown): string {
  const file = join(dir, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value, null, 2));
  return file;
}

/** A minimal valid Tyk Classic API definition, with overrides. */
function apiDef(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    api_id: "orders",
    name: "Orders",
    proxy: { listen_path: "/orders/", target_url: "http://127.0.0.1:9000/" },
    ...overrides,
  };
}

function goPluginDef(entry: Record<string, unknown>): Record<string, unknown> {
  return apiDef({
    version_data: {
      not_versioned: true,
      versions: { Default: { name: "Default", use_extended_paths: true, extended_paths: { go_plugin: [entry] } } },
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// tyk.conf

test("tyk.conf: an empty conf gets Tyk's defaults and ours", () => {
  const file = writeJson(tempDir(), "tyk.conf", {});
  const { conf, unknownFields } = loadTykConf(file);
  assert.deepEqual(unknownFields, []);
  assert.equal(conf.listen_address, "");
  assert.equal(conf.listen_port, 8080);
  assert.equal(conf.secret, "");
  assert.equal(conf.app_path, "./apps/");
  assert.equal(conf.middleware_path, "./middleware/");
  assert.equal(conf.log_level, "info");
  assert.equal(conf.enable_bundle_downloader, false);
  assert.equal(conf.bundle_base_url, "");
  assert.equal(conf.bundle_insecure_skip_verify, false);
  assert.equal(conf.public_key_path, "");
  assert.equal(conf.hash_keys, false);
  assert.equal(conf.hash_key_function, "");
  assert.equal(conf.enable_hashed_keys_listing, false);
  assert.equal(conf.enable_analytics, false);
  assert.equal(conf.storage.type, "embedded");
  assert.equal(conf.storage.host, "localhost");
  assert.equal(conf.storage.port, 6379);
  assert.equal(conf.storage.database, 0);
  assert.equal(conf.storage.use_ssl, false);
  assert.deepEqual(conf.http_server_options, {
    read_timeout: 120,
    write_timeout: 120,
    max_request_body_size: 0,
    max_response_body_size: 0,
    skip_url_cleaning: false,
  });
  assert.equal(conf.proxy_default_timeout, 30);
  assert.equal(conf.graceful_shutdown_timeout_duration, 30);
  assert.equal(conf.close_connections, false);
  assert.equal(conf.rate_limit_response_headers, "quotas");
  assert.deepEqual(conf.plugin_gateway, {
    plugin_timeout_ms: 30000,
    analytics_file: "./analytics.jsonl",
    strict_plugins: false,
    watch_app_path: false,
    workers: 1,
    metrics_path: "/tyk/metrics",
    max_held_body_bytes: 64 << 20,
  });
});

test("tyk.conf: values given are kept; Go's 0-means-default timeouts become the default", () => {
  const file = writeJson(tempDir(), "tyk.conf", {
    listen_port: 0,
    log_level: "DEBUG",
    storage: { type: "redis", host: "redis.local", port: 6380, addrs: null, timeout: 0 },
    http_server_options: { read_timeout: 0, write_timeout: 15, max_request_body_size: 1048576 },
    proxy_default_timeout: 2.5,
    plugin_gateway: { plugin_timeout_ms: 500, strict_plugins: true },
  });
  const { conf } = loadTykConf(file);
  assert.equal(conf.listen_port, 0);
  assert.equal(conf.log_level, "debug");
  assert.equal(conf.storage.type, "redis");
  assert.equal(conf.storage.host, "redis.local");
  assert.equal(conf.storage.port, 6380);
  assert.deepEqual(conf.storage.addrs, []);
  assert.equal(conf.storage.timeout, 5);
  assert.deepEqual(conf.http_server_options, {
    read_timeout: 120,
    write_timeout: 15,
    max_request_body_size: 1048576,
    max_response_body_size: 0,
    skip_url_cleaning: false,
  });
  assert.equal(conf.proxy_default_timeout, 2.5);
  assert.equal(conf.plugin_gateway.plugin_timeout_ms, 500);
  assert.equal(conf.plugin_gateway.strict_plugins, true);
});

test("tyk.conf: log_level takes Tyk's values, any case, and names the accepted ones otherwise", () => {
  const level = (v: unknown) => parseConfig(TykConfSchema, { log_level: v }, "tyk.conf").value.log_level;
  assert.equal(level(""), "info");
  assert.equal(level("Warn"), "warn");
  assert.equal(level("warning"), "warn");
  assert.equal(level("error"), "error");
  const err = configError(() => level("verbose"));
  assert.equal(err.field, "log_level");
  assert.equal(err.message, 'tyk.conf: log_level: expected one of "debug", "info", "warn", "error", got "verbose"');
});

test("tyk.conf: a wrongly typed field names the file and the dotted field", () => {
  const file = writeJson(tempDir(), "tyk.conf", { http_server_options: { read_timeout: "30" } });
  const err = configError(() => loadTykConf(file));
  assert.equal(err.file, file);
  assert.equal(err.field, "http_server_options.read_timeout");
  assert.equal(
    err.message,
    `${file}: http_server_options.read_timeout: expected a number, got string "30" (write numbers without quotes)`,
  );
});

test("tyk.conf: every problem is listed, one line each with file and field", () => {
  const err = configError(() =>
    parseConfig(TykConfSchema, { listen_port: 70000, storage: { type: "mongo" }, hash_keys: "true" }, "tyk.conf")
  );
  assert.equal(err.field, "listen_port");
  assert.deepEqual(err.message.split("\n"), [
    "tyk.conf: listen_port: must be at most 65535, got 70000",
    'tyk.conf: hash_keys: expected true or false, got string "true" (write true or false without quotes)',
    'tyk.conf: storage.type: expected one of "embedded", "redis", got "mongo"',
  ]);
  assert.equal(err.problems.length, 3);
});

test("tyk.conf: fields we do not implement are listed, not errors", () => {
  const { value: conf, unknownFields } = parseConfig(
    TykConfSchema,
    {
      listen_port: 8081,
      enable_jsvm: true,
      storage: {
        type: "redis",
        optimisation_max_idle: 2000,
        enable_cluster: false,
        sentinel_password: "",
        ca_file: "",
      },
      http_server_options: { use_ssl: true, certificates: [{ domain_name: "a", cert_file: "b", key_file: "c" }] },
      analytics_config: { type: "", ignored_ips: [] },
    },
    "tyk.conf",
  );
  assert.equal(conf.listen_port, 8081);
  assert.deepEqual(unknownFields, [
    "enable_jsvm",
    "storage.ca_file",
    "http_server_options.use_ssl",
    "http_server_options.certificates",
    // analytics_config is read for enable_detailed_recording; its other fields are not implemented.
    "analytics_config.type",
    "analytics_config.ignored_ips",
  ]);
});

test("tyk.conf: resolvePaths makes paths absolute against the conf file's directory", () => {
  const dir = tempDir();
  const file = writeJson(dir, "conf/tyk.conf", {
    app_path: "apps",
    middleware_path: "/opt/tyk/middleware",
    plugin_gateway: { analytics_file: "../var/analytics.jsonl" },
    policies: { policy_path: "policies" },
  });
  const { conf } = loadTykConf(file);
  assert.deepEqual(resolvePaths(conf, file), {
    app_path: join(dir, "conf", "apps"),
    middleware_path: "/opt/tyk/middleware",
    public_key_path: "",
    analytics_file: join(dir, "var", "analytics.jsonl"),
    policy_path: join(dir, "conf", "policies"),
    policy_record_name: "",
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Reading files

test("invalid JSON names the file, with line and column", () => {
  const file = writeJson(tempDir(), "tyk.conf", '{\n  "listen_port": 8080,\n  "secret": "x",\n}\n');
  const err = configError(() => loadTykConf(file));
  assert.equal(err.file, file);
  assert.equal(err.field, "");
  assert.equal(
    err.message,
    `${file}: invalid JSON at line 4, column 1: trailing comma before "}" is not allowed in JSON`,
  );

  const bad = writeJson(
    tempDir(),
    "apps/broken.json",
    '{"api_id": "a",\n "proxy": {"listen_path": "/a/" "target_url": "x"}}',
  );
  assert.match(
    configError(() => readJsonFile(bad)).message,
    /broken\.json: invalid JSON at line 2, column 33: expected ","/,
  );
});

test("tyk.conf: plugin_gateway.workers is a number of workers or \"auto\"; anything else names the field", () => {
  const workers = (v: unknown) => parseConfig(TykConfSchema, { plugin_gateway: { workers: v } }, "tyk.conf").value.plugin_gateway.workers;
  assert.equal(workers(4), 4);
  assert.equal(workers("auto"), "auto");
  for (const bad of ["many", 1.5, true]) {
    assert.equal(configError(() => workers(bad)).message, 'tyk.conf: plugin_gateway.workers: expected 1 to 1024 (workers) or "auto"');
  }
  assert.equal(configError(() => workers(0)).message, "tyk.conf: plugin_gateway.workers: must be at least 1, got 0");
});

test("an unreadable or empty file names the file", () => {
  const dir = tempDir();
  const missing = join(dir, "nope.conf");
  assert.equal(configError(() => loadTykConf(missing)).message, `${missing}: cannot read file: no such file`);
  const empty = writeJson(dir, "empty.json", "  \n");
  assert.equal(configError(() => readJsonFile(empty)).message, `${empty}: invalid JSON: the file is empty`);
});

test("findJsonSyntaxError explains the usual hand-editing mistakes", () => {
  assert.equal(findJsonSyntaxError('{"a": [1, 2]}'), undefined);
  assert.deepEqual(findJsonSyntaxError('{"a": [1, 2,]}'), {
    offset: 12,
    reason: 'trailing comma before "]" is not allowed in JSON',
  });
  assert.equal(findJsonSyntaxError("{'a': 1}")?.reason, "property names must use double quotes, not single quotes");
  assert.equal(findJsonSyntaxError('{\n  // note\n  "a": 1}')?.reason, "comments are not allowed in JSON");
  assert.equal(findJsonSyntaxError('{"port": 08080}')?.reason, "numbers cannot have leading zeros");
  assert.equal(findJsonSyntaxError('{"a": 1}}')?.reason, 'unexpected "}" after the end of the JSON value');
});

// ---------------------------------------------------------------------------------------------------------------
// API definitions

test("api definition: defaults as Tyk has them", () => {
  const { def, unknownFields } = parseApiDefinition(apiDef(), "apps/orders.json");
  assert.deepEqual(unknownFields, []);
  assert.equal(def.active, true);
  assert.equal(def.internal, false);
  assert.equal(def.use_keyless, false);
  assert.equal(def.use_standard_auth, false);
  assert.equal(def.proxy.strip_listen_path, false);
  assert.equal(def.proxy.preserve_host_header, false);
  assert.equal(def.auth.auth_header_name, "Authorization");
  // Maps keyed by user data have a null prototype (config/records.ts); compare their entries.
  assert.deepEqual({ ...def.auth_configs }, {});
  assert.deepEqual({ ...def.config_data }, {});
  assert.deepEqual(def.tags, []);
  assert.deepEqual(def.custom_middleware.pre, []);
  assert.equal(def.custom_middleware.auth_check, undefined);
  assert.equal(def.custom_middleware.driver, "");
  assert.deepEqual({ ...def.version_data, versions: { ...def.version_data.versions } }, { not_versioned: true, default_version: "", versions: {} });
  assert.deepEqual(def.global_rate_limit, { rate: 0, per: 0, disabled: false });
});

test("api definition: a wrongly typed target_url names file and dotted field", () => {
  const err = configError(() =>
    parseApiDefinition(apiDef({ proxy: { listen_path: "/foo/", target_url: 8080 } }), "apps/foo.json")
  );
  assert.equal(err.file, "apps/foo.json");
  assert.equal(err.field, "proxy.target_url");
  assert.equal(err.message, "apps/foo.json: proxy.target_url: expected a URL string, got number");
});

test("api definition: a missing required field is named", () => {
  const err = configError(() => parseApiDefinition(apiDef({ proxy: { listen_path: "/foo/" } }), "apps/foo.json"));
  assert.equal(err.field, "proxy.target_url");
  assert.equal(err.message, "apps/foo.json: proxy.target_url: required field is missing (expected a URL string)");

  const noId = { name: "x", proxy: { listen_path: "/x/", target_url: "http://x" } };
  assert.equal(configError(() => parseApiDefinition(noId, "a.json")).field, "api_id");
  assert.equal(
    configError(() => parseApiDefinition(apiDef({ api_id: "" }), "a.json")).message,
    "a.json: api_id: must not be empty",
  );
});

test("api definition: listen_path and target_url invariants", () => {
  const listen = configError(() =>
    parseApiDefinition(apiDef({ proxy: { listen_path: "orders/", target_url: "http://x" } }), "a.json")
  );
  assert.equal(listen.message, 'a.json: proxy.listen_path: must start with "/", got "orders/"');
  const target = configError(() =>
    parseApiDefinition(apiDef({ proxy: { listen_path: "/o/", target_url: "ftp://files.local/" } }), "a.json")
  );
  assert.equal(
    target.message,
    'a.json: proxy.target_url: expected an http:// or https:// URL, got "ftp://files.local/"',
  );
});

test("api definition: unknown fields are listed with dotted paths (nested, arrays, records), not errors", () => {
  const { def, unknownFields } = parseApiDefinition(
    apiDef({
      enable_jwt: true,
      proxy: { listen_path: "/o/", target_url: "http://x", target_list: [] },
      auth_configs: { authToken: { auth_header_name: "X-Key", use_certificate: false } },
      custom_middleware: {
        driver: "goplugin",
        pre: [{ name: "Pre", path: "p.so", extra: 1 }],
        id_extractor: { extract_from: "header", whatever: true },
      },
      version_data: {
        not_versioned: true,
        versions: {
          Default: {
            name: "Default",
            paths: { ignored: [] },
            use_extended_paths: true,
            extended_paths: {
              transform: [{ path: "x" }],
              go_plugin: [{ path: "/x", method: "GET", plugin_path: "p.so", func_name: "F", note: "" }],
            },
          },
          "v1.0": { name: "v1.0", global_headers: {} },
        },
      },
      config_data: { anything: { goes: true } },
    }),
    "apps/orders.json",
  );
  assert.deepEqual(unknownFields, [
    "proxy.target_list",
    "enable_jwt",
    "auth_configs.authToken.use_certificate",
    "custom_middleware.pre[0].extra",
    "version_data.versions.Default.paths",
    "version_data.versions.Default.extended_paths.transform",
    "version_data.versions.Default.extended_paths.go_plugin[0].note",
    'version_data.versions["v1.0"].global_headers',
  ]);
  assert.equal(def.auth_configs.authToken.auth_header_name, "X-Key");
  assert.equal(def.version_data.versions.Default.extended_paths.go_plugin[0].func_name, "F");
  assert.deepEqual({ ...def.config_data }, { anything: { goes: true } });
});

test("api definition: Tyk's empty auth_check {} normalises to undefined", () => {
  const none = parseApiDefinition(apiDef({ custom_middleware: { auth_check: {} } }), "a.json").def;
  assert.equal(none.custom_middleware.auth_check, undefined);
  const unnamed = parseApiDefinition(apiDef({ custom_middleware: { auth_check: { name: "", path: "" } } }), "a.json");
  assert.equal(unnamed.def.custom_middleware.auth_check, undefined);
  const named = parseApiDefinition(
    apiDef({ custom_middleware: { driver: "goplugin", auth_check: { name: "Auth", path: "auth.so" } } }),
    "a.json",
  );
  assert.deepEqual(named.def.custom_middleware.auth_check, {
    name: "Auth",
    path: "auth.so",
    disabled: false,
    require_session: false,
    raw_body_only: false,
  });
});

test("api definition: custom plugin auth without an auth_check plugin is refused", () => {
  const err = configError(() =>
    parseApiDefinition(apiDef({ custom_plugin_auth_enabled: true, custom_middleware: { auth_check: {} } }), "a.json")
  );
  assert.equal(
    err.message,
    "a.json: custom_middleware.auth_check: custom_plugin_auth_enabled is true but no auth_check plugin is named",
  );
  // With a bundle, the bundle's manifest names the plugins.
  const bundled = apiDef({ custom_plugin_auth_enabled: true, custom_middleware_bundle: "bundle.zip" });
  assert.equal(parseApiDefinition(bundled, "a.json").def.custom_middleware_bundle, "bundle.zip");
});

test("api definition: goplugin middleware needs the .so path", () => {
  const err = configError(() =>
    parseApiDefinition(apiDef({ custom_middleware: { driver: "goplugin", post: [{ name: "Post" }] } }), "a.json")
  );
  assert.equal(err.field, "custom_middleware.post[0].path");
});

test("api definition: an invalid go_plugin regex names the entry's path field", () => {
  const err = configError(() =>
    parseApiDefinition(
      goPluginDef({ path: "/orders/(", method: "GET", plugin_path: "o.so", func_name: "F" }),
      "apps/o.json",
    )
  );
  assert.equal(err.field, "version_data.versions.Default.extended_paths.go_plugin[0].path");
  assert.match(
    err.message,
    /^apps\/o\.json: version_data\.versions\.Default\.extended_paths\.go_plugin\[0\]\.path: not a valid Go regular expression/,
  );
});

test("api definition: go_plugin entries need path, method, plugin_path and func_name", () => {
  const err = configError(() => parseApiDefinition(goPluginDef({ path: "/x", plugin_path: "" }), "a.json"));
  const prefix = "a.json: version_data.versions.Default.extended_paths.go_plugin[0]";
  assert.deepEqual(err.message.split("\n"), [
    `${prefix}.method: required field is missing (expected an HTTP method (string))`,
    `${prefix}.plugin_path: must not be empty`,
    `${prefix}.func_name: required field is missing (expected the name of the plugin's exported function)`,
  ]);
});

test("api definition: null lists, maps and sections read as absent, as Go does", () => {
  const { def } = parseApiDefinition(
    apiDef({
      tags: null,
      config_data: null,
      auth_configs: null,
      custom_middleware: { pre: null, auth_check: null },
      version_data: { versions: { Default: { extended_paths: { go_plugin: null, white_list: null } } } },
    }),
    "a.json",
  );
  assert.deepEqual(def.tags, []);
  assert.deepEqual({ ...def.config_data }, {});
  assert.deepEqual(def.custom_middleware.pre, []);
  assert.deepEqual(def.version_data.versions.Default.extended_paths.go_plugin, []);
});

test("api definition: a realistic dashboard export loads with warnings only, raw kept as written", () => {
  const file = join(FIXTURES, "dashboard-export.json");
  const data = readJsonFile(file);
  const { def, raw, unknownFields } = parseApiDefinition(data, file);
  assert.equal(def.api_id, "b84fe1a04e5648927971c0557971565c");
  assert.equal(def.proxy.listen_path, "/orders/");
  assert.equal(def.proxy.strip_listen_path, true);
  assert.equal(def.use_standard_auth, true);
  assert.equal(def.auth_configs.authToken.auth_header_name, "X-Api-Key");
  assert.equal(def.custom_middleware.driver, "goplugin");
  assert.equal(def.custom_middleware.auth_check, undefined);
  assert.equal(def.custom_middleware.pre[0].name, "AddCorrelationID");
  const v = def.version_data.versions.Default;
  assert.equal(v.use_extended_paths, true);
  assert.deepEqual(v.extended_paths.go_plugin, [
    {
      disabled: false,
      path: "/orders/{id}",
      method: "GET",
      plugin_path: "../middleware/orders.so",
      func_name: "EnrichOrder",
    },
  ]);
  assert.deepEqual({ ...def.config_data }, { region: "eu-west-1", limits: { max_items: 50 } });
  assert.deepEqual(def.tags, ["eu", "orders"]);
  // What we ignore is reported, and only that.
  for (
    const field of ["id", "enable_jwt", "CORS", "cache_options", "proxy.target_list", "proxy.transport", "tag_headers"]
  ) {
    assert.ok(unknownFields.includes(field), `expected ${field} among ${unknownFields.join(", ")}`);
  }
  for (
    const field of [
      "auth.signature",
      "auth_configs.authToken.signature",
      "version_data.versions.Default.paths",
      "version_data.versions.Default.extended_paths.white_list",
      "version_data.versions.Default.extended_paths.hard_timeouts",
      "version_data.versions.Default.global_headers",
    ]
  ) {
    assert.ok(unknownFields.includes(field), `expected ${field}`);
  }
  for (
    const known of ["api_id", "proxy", "proxy.listen_path", "custom_middleware.id_extractor", "config_data.region"]
  ) {
    assert.ok(!unknownFields.includes(known), `${known} is not unknown`);
  }
  // raw is the definition exactly as written, for ctx.GetDefinition.
  assert.equal(raw, data);
  assert.deepEqual((raw.CORS as Record<string, unknown>).allowed_origins, ["*"]);
});

test("loadApiDefinitions: one broken and two good files give two definitions and one error", () => {
  const dir = tempDir();
  writeJson(dir, "b-orders.json", apiDef({ api_id: "orders" }));
  writeJson(
    dir,
    "a-users.json",
    apiDef({ api_id: "users", proxy: { listen_path: "/users/", target_url: "https://u" } }),
  );
  writeJson(dir, "c-broken.json", apiDef({ api_id: "broken", proxy: { listen_path: "/b/", target_url: 1 } }));
  writeJson(dir, "notes.txt", "not a definition");
  writeJson(dir, "nested/d.json", apiDef({ api_id: "nested" }));

  const results = loadApiDefinitions(dir);
  assert.deepEqual(
    results.map((r) => r.file),
    ["a-users.json", "b-orders.json", "c-broken.json"].map((n) => join(dir, n)),
  );
  const defs = results.flatMap((r) => ("def" in r ? [r.def.api_id] : []));
  const errors = results.flatMap((r) => ("error" in r ? [r.error] : []));
  assert.deepEqual(defs, ["users", "orders"]);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].file, join(dir, "c-broken.json"));
  assert.equal(errors[0].message, `${join(dir, "c-broken.json")}: proxy.target_url: expected a URL string, got number`);
});

test("loadApiDefinitions: invalid JSON is an error entry, a repeated api_id is left to the registry; a missing dir throws", () => {
  const dir = tempDir();
  writeJson(dir, "1.json", apiDef({ api_id: "same" }));
  writeJson(dir, "2.json", apiDef({ api_id: "same", proxy: { listen_path: "/other/", target_url: "http://x" } }));
  writeJson(dir, "3.json", "{ nope");
  const [first, second, third] = loadApiDefinitions(dir);
  assert.ok("def" in first);
  assert.ok("def" in second, "conflicts are settled by the registry (test/security/definitions.test.ts)");
  assert.ok("error" in third);
  assert.match(third.error.message, /3\.json: invalid JSON at line 1, column 3: /);

  const missing = join(dir, "absent");
  assert.equal(
    configError(() => loadApiDefinitions(missing)).message,
    `${missing}: cannot read the API definition directory: no such directory`,
  );
});

test("compileTykPathPattern reads Tyk's Go regex paths", () => {
  assert.ok(compileTykPathPattern("/orders/{id}").test("/orders/42"));
  assert.ok(!compileTykPathPattern("^/orders/{id}$").test("/orders/42/items"));
  assert.ok(compileTykPathPattern("(?i)^/ORDERS$").test("/orders"));
  assert.ok(compileTykPathPattern("^/u/(?P<user>[a-z]+)$").test("/u/ann"));
  assert.ok(compileTykPathPattern("\\A/a\\z").test("/a"));
  assert.throws(() => compileTykPathPattern("/a(?=b)"), /invalid or unsupported Perl syntax/);
  assert.throws(() => compileTykPathPattern("(a)\\1"), /invalid escape sequence/);
  assert.throws(() => compileTykPathPattern("/orders/("));
});

test("parseConfig works with any schema and reports unknown keys in arrays and records", () => {
  const schema = z.object({
    items: z.array(z.object({ id: z.number() })),
    byName: z.record(z.string(), z.object({ on: z.boolean() })),
  });
  const { value, unknownFields } = parseConfig(
    schema,
    { items: [{ id: 1 }, { id: 2, x: 1 }], byName: { a: { on: true, y: 2 }, "b c": { on: false, z: 3 } }, top: 0 },
    "x.json",
  );
  assert.equal(value.items.length, 2);
  assert.deepEqual(unknownFields, ["items[1].x", "byName.a.y", 'byName["b c"].z', "top"]);
  const err = configError(() => parseConfig(schema, { items: [{ id: "1" }], byName: {} }, "x.json"));
  assert.equal(err.message, 'x.json: items[0].id: expected a number, got string "1" (write numbers without quotes)');
});
