// Tyk OAS API definitions: conversion to the Classic form the gateway serves, errors naming the document's fields,
// unknown-field reporting, and loadApiDefinitions telling the two kinds apart. Runs under Deno and Bun.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { compileTykPathPattern, loadApiDefinitions } from "../../src/config/api-definition.ts";
import { isOasDocument, parseOasDefinition } from "../../src/config/oas-definition.ts";
import { ConfigError } from "../../src/config/validate.ts";
import { configError } from "../helpers/config.ts";

// One scratch root for the file, removed at exit (Bun: process "exit"; `deno test`: "unload").
const SCRATCH = mkdtempSync(join(tmpdir(), "gw-oas-"));
const removeScratch = () => rmSync(SCRATCH, { recursive: true, force: true });
process.on("exit", removeScratch);
globalThis.addEventListener?.("unload", removeScratch);

type Json = Record<string, unknown>;

/** A Tyk OAS document as a Dashboard export would have it: every plugin hook, custom Go auth, a bundle, config data. */
function ordersOas(): Json {
  return {
    openapi: "3.0.3",
    info: { title: "Orders", version: "1.0.0" },
    servers: [{ url: "https://gw.example.com/orders/" }],
    security: [{ authToken: [] }],
    paths: {
      "/orders": {
        get: { operationId: "listOrders", responses: { "200": { description: "the orders" } } },
        post: { operationId: "createOrder", responses: { "201": { description: "created" } } },
      },
      "/orders/{id}": {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        get: { operationId: "getOrder", responses: { "200": { description: "one order" } } },
      },
    },
    components: {
      securitySchemes: { authToken: { type: "apiKey", in: "header", name: "X-Api-Key" } },
      schemas: { Order: { type: "object", properties: { id: { type: "string" } } } },
    },
    "x-tyk-api-gateway": {
      info: { id: "orders-oas", orgId: "acme", name: "Orders (OAS)", state: { active: true, internal: false } },
      upstream: { url: "http://127.0.0.1:9000/", preserveHostHeader: { enabled: true } },
      server: {
        listenPath: { value: "/orders/", strip: true },
        authentication: {
          enabled: true,
          stripAuthorizationData: true,
          custom: {
            enabled: true,
            config: {
              enabled: true,
              functionName: "CheckToken",
              path: "plugins/auth.so",
              requireSession: true,
            },
          },
        },
      },
      middleware: {
        global: {
          pluginConfig: {
            driver: "goplugin",
            bundle: { enabled: true, path: "orders-bundle.zip" },
            data: { enabled: true, value: { region: "eu-west-1", limits: { max_items: 50 } } },
          },
          prePlugins: [
            { enabled: true, functionName: "AddCorrelationID", path: "plugins/pre.so" },
            { enabled: true, functionName: "RejectBots", path: "plugins/pre.so", rawBodyOnly: true },
          ],
          postAuthenticationPlugins: [{ enabled: true, functionName: "LoadTenant", path: "plugins/auth.so" }],
          postPlugins: [{ enabled: true, functionName: "SignRequest", path: "plugins/post.so" }],
          responsePlugins: [{ enabled: true, functionName: "AddCacheHeaders", path: "plugins/resp.so" }],
        },
        operations: {
          createOrder: { postPlugins: [{ enabled: true, functionName: "ValidateOrder", path: "plugins/orders.so" }] },
          getOrder: { postPlugins: [{ enabled: true, functionName: "EnrichOrder", path: "plugins/orders.so" }] },
        },
      },
    },
  };
}

/** A minimal valid Tyk OAS document; `tyk` is merged over its x-tyk-api-gateway section. */
function minimalOas(tyk: Json = {}, top: Json = {}): Json {
  return {
    openapi: "3.0.3",
    info: { title: "Mini", version: "1" },
    paths: {},
    ...top,
    "x-tyk-api-gateway": {
      info: { id: "mini", name: "Mini", state: { active: true } },
      upstream: { url: "http://127.0.0.1:9000" },
      server: { listenPath: { value: "/mini/" } },
      ...tyk,
    },
  };
}

test("OAS: a realistic Tyk OAS document maps to the Classic form the chain builder runs", () => {
  const doc = ordersOas();
  const asWritten = structuredClone(doc);
  const { def, raw, unknownFields } = parseOasDefinition(doc, "apps/orders-oas.json");

  // raw is the document itself, untouched: Go plugins read it with ctx.GetOASDefinition.
  assert.equal(raw, doc);
  assert.deepEqual(doc, asWritten);
  // Nothing here is unknown: neither the OpenAPI part nor any Tyk field.
  assert.deepEqual(unknownFields, []);

  assert.equal(def.api_id, "orders-oas");
  assert.equal(def.name, "Orders (OAS)");
  assert.equal(def.org_id, "acme");
  assert.equal(def.active, true);
  assert.equal(def.internal, false);
  assert.equal(def.is_oas, true);
  assert.deepEqual(def.proxy, {
    listen_path: "/orders/",
    target_url: "http://127.0.0.1:9000/",
    strip_listen_path: true,
    preserve_host_header: true,
    disable_strip_slash: false,
  });
  // Custom Go plugin auth; the token scheme is also in effect (security[0]), with its header from components.
  assert.equal(def.use_keyless, false);
  assert.equal(def.custom_plugin_auth_enabled, true);
  assert.equal(def.strip_auth_data, true);
  assert.equal(def.use_standard_auth, false, "the token scheme has no x-tyk entry, so Tyk does not enable it");
  assert.deepEqual(def.custom_middleware, {
    driver: "goplugin",
    pre: [
      {
        name: "AddCorrelationID",
        path: "plugins/pre.so",
        disabled: false,
        raw_body_only: false,
        require_session: false,
      },
      { name: "RejectBots", path: "plugins/pre.so", disabled: false, raw_body_only: true, require_session: false },
    ],
    post_key_auth: [
      { name: "LoadTenant", path: "plugins/auth.so", disabled: false, raw_body_only: false, require_session: false },
    ],
    post: [
      { name: "SignRequest", path: "plugins/post.so", disabled: false, raw_body_only: false, require_session: false },
    ],
    response: [
      {
        name: "AddCacheHeaders",
        path: "plugins/resp.so",
        disabled: false,
        raw_body_only: false,
        require_session: false,
      },
    ],
    auth_check: {
      name: "CheckToken",
      path: "plugins/auth.so",
      disabled: false,
      raw_body_only: false,
      require_session: true,
    },
  });
  assert.equal(def.custom_middleware_bundle, "orders-bundle.zip");
  assert.equal(def.custom_middleware_bundle_disabled, false);
  assert.deepEqual({ ...def.config_data }, { region: "eu-west-1", limits: { max_items: 50 } });
  assert.equal(def.config_data_disabled, false);

  // Operation postPlugins become go_plugin entries at the operation's path and method, in Tyk's path order
  // (more segments first), with {param} kept for the Classic matcher.
  assert.deepEqual({ ...def.version_data, versions: { ...def.version_data.versions } }, {
    not_versioned: true,
    default_version: "",
    versions: {
      Default: {
        name: "Default",
        expires: "",
        use_extended_paths: true,
        extended_paths: {
          go_plugin: [
            {
              path: "^/orders/{id}$",
              method: "GET",
              plugin_path: "plugins/orders.so",
              func_name: "EnrichOrder",
              disabled: false,
            },
            {
              path: "^/orders$",
              method: "POST",
              plugin_path: "plugins/orders.so",
              func_name: "ValidateOrder",
              disabled: false,
            },
          ],
        },
      },
    },
  });
  const [byId] = def.version_data.versions.Default.extended_paths.go_plugin;
  assert.ok(compileTykPathPattern(byId.path).test("/orders/42"));
});

test("OAS: token auth reads the header name from components.securitySchemes", () => {
  const doc = minimalOas(
    {
      server: {
        listenPath: { value: "/mini/" },
        authentication: { enabled: true, securitySchemes: { apiKey: { enabled: true } } },
      },
    },
    {
      security: [{ apiKey: [] }],
      components: { securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "X-Api-Key" } } },
    },
  );
  const { def, unknownFields } = parseOasDefinition(doc, "t.json");
  assert.deepEqual(unknownFields, []);
  assert.equal(def.use_keyless, false);
  assert.equal(def.use_standard_auth, true);
  assert.equal(def.custom_plugin_auth_enabled, false);
  const expected = {
    name: "apiKey",
    auth_header_name: "X-Api-Key",
    disable_header: false,
    use_param: false,
    param_name: "",
    use_cookie: false,
    cookie_name: "",
  };
  assert.deepEqual(def.auth_configs.authToken, expected);
  assert.deepEqual(def.auth, expected, "the chain builder reads `auth`");

  // A JWT scheme in effect is not implemented: reported, not mapped.
  const jwt = minimalOas(
    {
      server: {
        listenPath: { value: "/mini/" },
        authentication: { enabled: true, securitySchemes: { jwt: { enabled: true, source: "abc" } } },
      },
    },
    {
      security: [{ jwt: [] }],
      components: { securitySchemes: { jwt: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
    },
  );
  const parsedJwt = parseOasDefinition(jwt, "t.json");
  assert.deepEqual(parsedJwt.unknownFields, ["x-tyk-api-gateway.server.authentication.securitySchemes.jwt"]);
  assert.equal(parsedJwt.def.use_standard_auth, false);
});

test("OAS: authentication absent or disabled is keyless, as in Tyk", () => {
  assert.equal(parseOasDefinition(minimalOas(), "t.json").def.use_keyless, true);
  const disabled = minimalOas({
    server: {
      listenPath: { value: "/mini/" },
      authentication: { enabled: false, custom: { enabled: true, config: { enabled: true, functionName: "Auth" } } },
    },
  });
  const { def } = parseOasDefinition(disabled, "t.json");
  assert.equal(def.use_keyless, true);
  assert.equal(def.custom_plugin_auth_enabled, true);
});

test("OAS: a missing info.id is an error naming x-tyk-api-gateway.info.id", () => {
  const doc = ordersOas();
  delete ((doc["x-tyk-api-gateway"] as Json).info as Json).id;
  const err = configError(() => parseOasDefinition(doc, "apps/orders-oas.json"));
  assert.equal(err.file, "apps/orders-oas.json");
  assert.equal(err.field, "x-tyk-api-gateway.info.id");
  assert.match(err.message, /^apps\/orders-oas\.json: x-tyk-api-gateway\.info\.id: required field is missing/);
});

test("OAS: an upstream URL that is not http(s) is an error naming x-tyk-api-gateway.upstream.url", () => {
  for (const url of ["ftp://files.example.com/", "not a url", "tyk://other-api"]) {
    const err = configError(() => parseOasDefinition(minimalOas({ upstream: { url } }), "mini.json"));
    assert.equal(err.field, "x-tyk-api-gateway.upstream.url", url);
    assert.match(err.message, /expected an http:\/\/ or https:\/\/ URL/);
  }
});

test("OAS: a disabled plugin is kept with disabled: true, at every hook and per operation", () => {
  const doc = ordersOas();
  const tyk = doc["x-tyk-api-gateway"] as Json;
  const mw = tyk.middleware as { global: Json; operations: Record<string, { postPlugins: Json[] }> };
  (mw.global.prePlugins as Json[])[1].enabled = false;
  (mw.global.responsePlugins as Json[])[0].enabled = false;
  mw.operations.getOrder.postPlugins[0].enabled = false;
  ((tyk.server as Json).authentication as { custom: { config: Json } }).custom.config.enabled = false;

  const { def } = parseOasDefinition(doc, "t.json");
  assert.deepEqual(def.custom_middleware.pre.map((p) => p.disabled), [false, true]);
  assert.equal(def.custom_middleware.response[0].disabled, true);
  assert.equal(def.custom_middleware.post[0].disabled, false);
  assert.equal(def.custom_middleware.auth_check?.disabled, true);
  const goPlugins = def.version_data.versions.Default.extended_paths.go_plugin;
  assert.deepEqual(goPlugins.map((g) => [g.func_name, g.disabled]), [["EnrichOrder", true], ["ValidateOrder", false]]);
});

test("OAS: unknown keys inside x-tyk-api-gateway are listed; the OpenAPI part is not", () => {
  const doc = ordersOas();
  doc["x-other-vendor"] = { anything: true };
  const tyk = doc["x-tyk-api-gateway"] as Json;
  (tyk.info as Json).dbId = "6633c933eba45e00017ca1ef";
  (tyk.upstream as Json).rateLimit = { enabled: true, rate: 10, per: "1s" };
  const global = (tyk.middleware as { global: Json }).global;
  global.cors = { enabled: true };
  global.authenticationPlugin = { enabled: true, functionName: "X" };
  (global.prePlugins as Json[])[0].priority = 1;
  const ops = (tyk.middleware as { operations: Record<string, Json> }).operations;
  ops.getOrder.cache = { enabled: true };
  ops.listOrders = { allow: { enabled: true } };
  (ops.createOrder.postPlugins as Json[]).push({ enabled: true, functionName: "Second", path: "p.so" });

  const { unknownFields } = parseOasDefinition(doc, "t.json");
  assert.deepEqual(unknownFields, [
    "x-tyk-api-gateway.info.dbId",
    "x-tyk-api-gateway.upstream.rateLimit",
    "x-tyk-api-gateway.middleware.global.prePlugins[0].priority",
    "x-tyk-api-gateway.middleware.global.cors",
    "x-tyk-api-gateway.middleware.global.authenticationPlugin",
    "x-tyk-api-gateway.middleware.operations.getOrder.cache",
    "x-tyk-api-gateway.middleware.operations.listOrders.allow",
    // Tyk runs only an operation's first post plugin.
    "x-tyk-api-gateway.middleware.operations.createOrder.postPlugins[1]",
  ]);
});

test("OAS: the deprecated single-plugin forms are read, the list form wins, and `name` stands for functionName", () => {
  const doc = minimalOas({
    middleware: {
      global: {
        pluginConfig: { driver: "goplugin" },
        prePlugin: { plugins: [{ enabled: true, functionName: "OldPre", path: "pre.so" }] },
        postPlugin: { plugins: [{ enabled: true, functionName: "Ignored", path: "post.so" }] },
        postPlugins: [{ enabled: true, functionName: "NewPost", path: "post.so" }],
      },
      operations: { hello: { postPlugins: [{ enabled: true, name: "Hello", path: "hello.so" }] } },
    },
  }, { paths: { "/hello/{name}": { get: { operationId: "hello" } } } });
  const { def } = parseOasDefinition(doc, "t.json");
  assert.deepEqual(def.custom_middleware.pre.map((p) => p.name), ["OldPre"]);
  assert.deepEqual(def.custom_middleware.post.map((p) => p.name), ["NewPost"]);
  assert.deepEqual(def.version_data.versions.Default.extended_paths.go_plugin, [
    { path: "^/hello/{name}$", method: "GET", plugin_path: "hello.so", func_name: "Hello", disabled: false },
  ]);
});

test("OAS: trafficLogs is Classic do_not_track (absent: nothing recorded, as in Tyk) and its first plugin the analytics_plugin", () => {
  const with_ = (trafficLogs?: Json) => {
    const doc = ordersOas();
    const x = doc["x-tyk-api-gateway"] as { middleware: { global: Json } };
    if (trafficLogs) x.middleware.global.trafficLogs = trafficLogs;
    return parseOasDefinition(doc, "orders.json");
  };
  const none = with_();
  assert.equal(none.def.do_not_track, true);
  assert.deepEqual(none.def.analytics_plugin, { enable: false, plugin_path: "", func_name: "" });
  const two = with_({
    enabled: true,
    plugins: [{ enabled: true, functionName: "MaskLogin", path: "plugins/a.so" }, { enabled: true, functionName: "Other", path: "plugins/b.so" }],
  });
  assert.equal(two.def.do_not_track, false);
  assert.deepEqual(two.def.analytics_plugin, { enable: true, plugin_path: "plugins/a.so", func_name: "MaskLogin" });
  assert.ok(two.unknownFields.includes("x-tyk-api-gateway.middleware.global.trafficLogs.plugins[1]"), two.unknownFields.join());
});

test("OAS: errors found by Classic rules name the document's field", () => {
  // goplugin without a bundle: every enabled plugin needs its .so path.
  const noPath = minimalOas({
    middleware: {
      global: {
        pluginConfig: { driver: "goplugin" },
        postAuthenticationPlugins: [{ enabled: true, functionName: "LoadTenant" }],
      },
    },
  });
  const err = configError(() => parseOasDefinition(noPath, "t.json"));
  assert.equal(err.field, "x-tyk-api-gateway.middleware.global.postAuthenticationPlugins[0].path");
  assert.match(err.message, /required when driver is "goplugin"/);

  // Custom auth switched on without a plugin to run.
  const noAuthPlugin = minimalOas({
    server: { listenPath: { value: "/mini/" }, authentication: { enabled: true, custom: { enabled: true } } },
  });
  assert.equal(
    configError(() => parseOasDefinition(noAuthPlugin, "t.json")).field,
    "x-tyk-api-gateway.server.authentication.custom.config.functionName",
  );

  // A post plugin for an operationId that no path has would never run.
  const noOperation = minimalOas({
    middleware: { operations: { ghost: { postPlugins: [{ enabled: true, functionName: "F", path: "f.so" }] } } },
  });
  assert.equal(
    configError(() => parseOasDefinition(noOperation, "t.json")).field,
    "x-tyk-api-gateway.middleware.operations.ghost",
  );

  // OpenAPI paths are literal: characters special in a regular expression match themselves.
  const literal = parseOasDefinition(minimalOas({
    middleware: { operations: { odd: { postPlugins: [{ enabled: true, functionName: "F", path: "f.so" }] } } },
  }, { paths: { "/a(": { get: { operationId: "odd" } } } }), "t.json");
  assert.equal(literal.def.version_data?.versions?.Default?.extended_paths?.go_plugin?.[0]?.path, "^/a\\($");

  // Not OpenAPI 3.
  assert.equal(configError(() => parseOasDefinition(minimalOas({}, { openapi: "2.0" }), "t.json")).field, "openapi");
});

test("loadApiDefinitions: a Classic and an OAS file load side by side with their kind", () => {
  const dir = mkdtempSync(join(SCRATCH, "apps-"));
  writeFileSync(
    join(dir, "a-classic.json"),
    JSON.stringify({
      api_id: "classic-api",
      name: "Classic",
      proxy: { listen_path: "/classic/", target_url: "http://127.0.0.1:9001/" },
      use_keyless: true,
    }),
  );
  writeFileSync(join(dir, "b-orders-oas.json"), JSON.stringify(ordersOas()));
  // Same api_id as the OAS file: refused, naming the OAS field for the id.
  writeFileSync(
    join(dir, "c-dup.json"),
    JSON.stringify(minimalOas({ info: { id: "orders-oas", name: "D", state: { active: true } } })),
  );

  const results = loadApiDefinitions(dir);
  assert.deepEqual(
    results.map((r) => r.file),
    ["a-classic.json", "b-orders-oas.json", "c-dup.json"].map((n) => join(dir, n)),
  );
  const [classic, oas, dup] = results;
  assert.ok("def" in classic && "def" in oas, "both definitions load");
  assert.equal(classic.kind, "classic");
  assert.equal(classic.def.api_id, "classic-api");
  assert.equal(oas.kind, "oas");
  assert.equal(oas.def.api_id, "orders-oas");
  assert.equal(oas.raw["openapi"], "3.0.3");
  // A repeated id is not an error here: the registry refuses both (test/security/definitions.test.ts).
  assert.ok("def" in dup);
  assert.equal(dup.def.api_id, "orders-oas");
});

test("an OpenAPI document without x-tyk-api-gateway is read as Classic and fails with a clear error", () => {
  const doc = ordersOas();
  delete doc["x-tyk-api-gateway"];
  assert.equal(isOasDocument(doc), false);
  assert.equal(isOasDocument(ordersOas()), true);

  const dir = mkdtempSync(join(SCRATCH, "apps-"));
  writeFileSync(join(dir, "plain-openapi.json"), JSON.stringify(doc));
  const [result] = loadApiDefinitions(dir);
  assert.ok("error" in result, "a plain OpenAPI document is not an API definition");
  // Classic validation: its required fields are named first...
  assert.equal(result.error.field, "api_id");
  assert.ok(result.error.problems.some((p) => p.field === "proxy"));
  // ...and the last line says what would make it a Tyk OAS definition.
  const last = result.error.problems[result.error.problems.length - 1];
  assert.equal(last.field, "x-tyk-api-gateway");
  assert.match(last.message, /read as a Tyk Classic definition/);
});
