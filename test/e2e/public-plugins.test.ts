// The public-plugin corpus (test/plugins-public/, see its README.md): plugins
// written for Tyk the way their public counterparts are (own go.mod, Tyk's
// imports and hook signatures, third-party modules), each built once with
// our builder (cached by content hash) and run through one real gateway
// process, with one API per plugin and local servers standing in for the
// services they call (authorization servers, a token endpoint, a telemetry
// collector, a legacy upstream). Each test asserts what the public
// counterpart documents.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createCipheriv, createVerify, generateKeyPairSync } from "node:crypto";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { after, before, test } from "node:test";
import { type GatewayProcess, goVirtualEndpoints, keylessApi, SECRET, startGatewayProcess } from "../helpers/gateway.ts";
import { buildPlugin } from "../../src/plugin-builder/index.ts";
import { SHIM_SOURCE_DIR } from "../../src/shim/build.ts";
import { GATEWAY_VERSION } from "../../src/version.ts";
import { buildTestPlugins, PUBLIC_PLUGIN_SOURCES } from "../helpers/plugins.ts";
import { rawGet } from "../helpers/raw-http.ts";
import { testShim } from "../helpers/shim.ts";
import { type Echo, startUpstream, type Upstream } from "../helpers/upstream.ts";

const { shim } = await testShim();
const started = Date.now();
const rebuilt: string[] = [];
const corpus = await buildTestPlugins(shim, (m) => rebuilt.push(m), PUBLIC_PLUGIN_SOURCES);
console.log(`public plugins: ${Object.keys(corpus).length} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${rebuilt.length} built, the rest cached)`);

const so = (name: string): string => {
  assert.ok(corpus[name], `no plugin ${name} in test/plugins-public`);
  return corpus[name];
};
const goplugin = (hooks: Record<string, unknown>) => ({ custom_middleware: { driver: "goplugin", ...hooks } });
const hook = (plugin: string, name: string) => ({ name, path: so(plugin) });
/** An API whose auth_check is the plugin's (Tyk's use_go_plugin_auth). */
const goAuth = (id: string, listenPath: string, target: string, hooks: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  ...keylessApi(id, listenPath, target, extra),
  use_keyless: false,
  use_go_plugin_auth: true,
  ...goplugin(hooks),
});
const admin = { "x-tyk-authorization": SECRET };

// ---------------------------------------------------------------------------
// Local stand-ins for the services the plugins talk to.

interface Aux {
  url: string;
  /** Requests to the introspection endpoints: path, Authorization, form. */
  introspections: Array<{ path: string; authorization: string; contentType: string; form: Record<string, string> }>;
  tokenCalls: number;
  tokenTtl: number;
  tokenFails: boolean;
  telemetry: Array<Record<string, any>>;
  close(): Promise<void>;
}

const GATEWAY_CREDENTIAL = `Basic ${Buffer.from("tyk-gateway:introspect-me").toString("base64")}`;
const IDP_CLIENT = { id: "tyk-introspection-client", secret: "tyk-introspection-secret" };

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function startAux(): Promise<Aux> {
  const state = { introspections: [] as Aux["introspections"], tokenCalls: 0, tokenTtl: 3600, tokenFails: false, telemetry: [] as Aux["telemetry"] };
  const json = (res: import("node:http").ServerResponse, status: number, v: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(v));
  };
  const server: Server = createServer(async (req, res) => {
    const text = await body(req);
    const url = new URL(req.url ?? "/", "http://aux");
    const form = Object.fromEntries(new URLSearchParams(text));
    if (url.pathname === "/oauth2/introspect" || url.pathname === "/realms/tyk/introspect") {
      state.introspections.push({ path: url.pathname, authorization: req.headers.authorization ?? "", contentType: req.headers["content-type"] ?? "", form });
    }
    switch (url.pathname) {
      case "/oauth2/introspect": // custom-plugin-examples' OAuth2 introspection
        if (req.headers.authorization !== GATEWAY_CREDENTIAL || form.token === "as-refuses") return json(res, 401, { error: "invalid_client" });
        if (form.token === "garbage") return res.end("<html>not json</html>");
        if (form.token === "good") return json(res, 200, { active: true, scope: "read:pets write:pets", client_id: "web" });
        if (form.token === "no-scope") return json(res, 200, { active: true });
        return json(res, 200, { active: false });
      case "/realms/tyk/introspect": { // tyk-demo's Keycloak introspection
        const basic = `Basic ${Buffer.from(`${IDP_CLIENT.id}:${IDP_CLIENT.secret}`).toString("base64")}`;
        if (req.headers.authorization !== basic) return json(res, 401, { error: "invalid_client" });
        if (form.token === "boom-token") return json(res, 503, { error: "temporarily_unavailable" });
        if (form.token === "alice-token") {
          return json(res, 200, { active: true, sub: "alice", client_id: "web-app", username: "alice", scope: "profile email", aud: "pets-api", iss: "https://idp.example/realms/tyk" });
        }
        if (form.token === "service-token") return json(res, 200, { active: true, client_id: "batch-job" });
        if (form.token === "exp-token") return json(res, 200, { active: true, sub: "bob", exp: Math.floor(Date.now() / 1000) + 3600 });
        return json(res, 200, { active: false });
      }
      case "/oauth/token": // custom-plugin-examples' upstream OAuth (client credentials)
        if (state.tokenFails) return json(res, 500, { error: "server_error" });
        if (form.grant_type !== "client_credentials" || form.client_id !== "gw-client" || form.client_secret !== "gw-secret") return json(res, 401, { error: "invalid_client" });
        state.tokenCalls++;
        return json(res, 200, { access_token: `upstream-token-${state.tokenCalls}`, expires_in: state.tokenTtl, token_type: "Bearer" });
      case "/api/telemetry": // APIClarity's collector
        state.telemetry.push(JSON.parse(text));
        return json(res, 200, {});
      default:
        if (url.pathname.startsWith("/legacy/")) { // a pipe-delimited legacy upstream
          res.writeHead(200, { "content-type": "text/plain" });
          return res.end(`ACME|42|${req.headers["x-custom-header"] ?? "-"}\n`);
        }
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  }) as Aux;
}

// ---------------------------------------------------------------------------
// Test data made here, independently of the plugins.

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
/** A JWT whose signature nobody checks (the plugins read claims only). */
const unsignedJwt = (claims: Record<string, unknown>) => `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url(claims)}.c2lnbmF0dXJl`;

const { privateKey: jwsPrivate, publicKey: jwsPublic } = generateKeyPairSync("rsa", { modulusLength: 2048 });

const AES_KEY = Buffer.from("0123456789abcdef0123456789abcdef");
const AES_IV = Buffer.from("fedcba9876543210");
const UPSTREAM_API_KEY = "s3cr3t-upstream-key-for-the-legacy-backend";
/** AES-256-CFB (full-block feedback, as Go's cipher.NewCFBEncrypter), from AES-ECB so every runtime can do it. */
function cfbSeal(key: Buffer, iv: Buffer, plain: Buffer): string {
  const ecb = createCipheriv("aes-256-ecb", key, null).setAutoPadding(false);
  const out = Buffer.alloc(plain.length);
  let feedback = iv;
  for (let off = 0; off < plain.length; off += 16) {
    const stream = ecb.update(feedback);
    const n = Math.min(16, plain.length - off);
    for (let i = 0; i < n; i++) out[off + i] = plain[off + i] ^ stream[i];
    feedback = out.subarray(off, off + 16);
  }
  return Buffer.concat([iv, out]).toString("base64");
}

// ---------------------------------------------------------------------------

let up: Upstream;
let aux: Aux;
let gw: GatewayProcess;

const PLUGIN_ENV = (auxUrl: string, dir: string) => ({
  OAUTH2_INTROSPECT_ENDPOINT: `${auxUrl}/oauth2/introspect`,
  OAUTH2_INTROSPECT_AUTHORIZATION: GATEWAY_CREDENTIAL,
  TYK_JWT_PLUGIN_CONFIG: join(dir, "tyk-jwt.json"),
  TYK_CUSTOM_OAUTH_CLIENT_ID: "gw-client",
  TYK_CUSTOM_OAUTH_CLIENT_SECRET: "gw-secret",
  TYK_CUSTOM_OAUTH_TOKEN_ENDPOINT: `${auxUrl}/oauth/token`,
  APICLARITY_HOST: new URL(auxUrl).host,
  SECRETS_AES_KEY: AES_KEY.toString("base64"),
});

const nlqOas = (target: string) => ({
  openapi: "3.0.3",
  info: { title: "Pet store", version: "1.0.0" },
  paths: {
    "/pets": {
      get: {
        operationId: "listPets",
        summary: "List the pets of the store by tags",
        "x-nl-input-examples": ["which pets are available", "show cute pets"],
        parameters: [{ name: "tags", in: "query", schema: { type: "string" } }],
        responses: { "200": { description: "pets" } },
      },
    },
    "/pets/{petId}": {
      get: { operationId: "getPet", summary: "Get one pet by its id", parameters: [{ name: "petId", in: "path", required: true, schema: { type: "string" } }], responses: { "200": { description: "a pet" } } },
      delete: { operationId: "deletePet", summary: "Remove a pet from the store", parameters: [{ name: "petId", in: "path", required: true, schema: { type: "string" } }], responses: { "204": { description: "gone" } } },
    },
    "/store/inventory": {
      get: { operationId: "getInventory", summary: "Inventory counts by status", "x-nl-input-examples": ["how many items in stock"], responses: { "200": { description: "counts" } } },
    },
  },
  "x-tyk-api-gateway": {
    info: { id: "pub-nlq", name: "Pet store NLQ", state: { active: true } },
    upstream: { url: target },
    server: { listenPath: { value: "/api-bridge-agent/", strip: true } },
    middleware: {
      global: {
        pluginConfig: { driver: "goplugin" },
        prePlugins: [{ enabled: true, functionName: "APIBridgeAgent", path: so("nlq-router") }],
        responsePlugins: [{ enabled: true, functionName: "APIBridgeAgentResponse", path: so("nlq-router") }],
      },
    },
  },
});

before(async () => {
  up = await startUpstream();
  aux = await startAux();
  // jws-signer's key, and the JSON file naming it, as its init() expects.
  const secrets = mkdtempSync(join(tmpdir(), "tykgw-public-plugins-"));
  writeFileSync(join(secrets, "gateway.pem"), jwsPrivate.export({ type: "pkcs1", format: "pem" }));
  writeFileSync(join(secrets, "tyk-jwt.json"), JSON.stringify({ jwtKeyFile: join(secrets, "gateway.pem"), issuer: "tyk-gateway" }));
  const env = PLUGIN_ENV(aux.url, secrets);
  const apis = [
    keylessApi("pub-jwt-policy", "/jwt-policy/", up.url, goplugin({ pre: [hook("jwt-policy-claim", "ParseJWT")] })),
    keylessApi("pub-jwt-claim", "/jwt-claim/", up.url, goplugin({ post: [hook("jwt-claim-header", "AddHeaderFromClaim")] })),
    keylessApi("pub-jws", "/jws/", up.url, goplugin({ pre: [hook("jws-signer", "AddJwsHeader")] })),
    keylessApi("pub-store", "/store/", up.url, goplugin({ pre: [hook("store-upstream-rewrite", "RewriteUpstreamURL")] })),
    goAuth("pub-multi", "/multi/", up.url, { auth_check: hook("multi-hook-auth-time", "MyPluginCustomAuthCheck"), post: [hook("multi-hook-auth-time", "ResponseSendCurrentTime")] }),
    {
      ...keylessApi("pub-meta", "/meta/", up.url, goplugin({ post: [hook("inject-metadata", "InjectMetadata")] })),
      use_keyless: false,
      use_standard_auth: true,
      auth: { auth_header_name: "Authorization" },
    },
    keylessApi("pub-introspect", "/introspect/", up.url, goplugin({ post: [hook("oauth2-introspection", "OAuth2Introspect")] })),
    goAuth("pub-idp", "/idp/", up.url, { auth_check: hook("introspection-session", "OAuthIntrospection") }, {
      config_data: { introspection_url: `${aux.url}/realms/tyk/introspect`, client_id: IDP_CLIENT.id, client_secret: IDP_CLIENT.secret },
    }),
    goAuth("pub-ip-limit", "/ip-limit/", up.url, { auth_check: hook("ip-rate-limiter", "IPRateLimit") }),
    goAuth("pub-qa", "/qa/", up.url, { pre: [hook("qa-token-auth", "AddFooBarHeader")], auth_check: hook("qa-token-auth", "AuthCheck") }),
    keylessApi("pub-uuid", "/uuid/", up.url, goplugin({ pre: [hook("uuid-query-check", "QueryParamValidation")] })),
    keylessApi("pub-error", "/custom-error/", up.url, goplugin({ pre: [hook("custom-error", "ReturnError")] })),
    keylessApi("pub-upstream-oauth", "/upstream-oauth/", up.url, goplugin({ post: [hook("upstream-oauth2", "UpstreamOAuth")] })),
    keylessApi("pub-telemetry", "/telemetry/", up.url, goplugin({ post: [hook("telemetry-capture", "PostGetAPIDefinition")], response: [hook("telemetry-capture", "ResponseSendTelemetry")] })),
    keylessApi("pub-pipe", "/pipe/", `${aux.url}/legacy/`, goplugin({ pre: [hook("pipe-to-json", "AddCustomHeader")], response: [hook("pipe-to-json", "MyPluginResponse")] })),
    keylessApi("pub-gzip", "/gzip-resp/", up.url, goplugin({ response: [hook("gzip-response", "CompressResponse")] })),
    keylessApi("pub-config-headers", "/config-headers/", up.url, {
      ...goplugin({ pre: [hook("config-data-headers", "AddHeadersFromConfigData")] }),
      config_data: { "X-Team": "payments", "X-Retries": 3, "X-Enabled": true },
    }),
    keylessApi("pub-validator", "/validated/", up.url, {
      ...goplugin({ pre: [hook("header-validator", "MiddlewareChain")] }),
      config_data: { test: "from-config-data", apikey: cfbSeal(AES_KEY, AES_IV, Buffer.from(UPSTREAM_API_KEY)) },
    }),
    goAuth("pub-complex", "/complex/", up.url, {
      pre: [hook("complex-plugin", "MyPluginPre")],
      auth_check: hook("complex-plugin", "MyPluginAuthCheck"),
      post_key_auth: [hook("complex-plugin", "MyPluginPostKeyAuth")],
      post: [hook("complex-plugin", "MyPluginPost")],
    }, { config_data: { "my-context-data": "my-plugin-config" } }),
    keylessApi("pub-complex-resp", "/complex-resp/", up.url, {
      ...goplugin({ response: [hook("complex-plugin", "MyPluginResponse")] }),
      config_data: { "my-context-data": "my-plugin-config" },
      ...goVirtualEndpoints([
        { path: "/foo", method: "GET", plugin_path: so("complex-plugin"), func_name: "MyPluginPerPathFoo" },
        { path: "/time", method: "GET", plugin_path: so("complex-plugin"), func_name: "MyPluginPerPathResp" },
      ]),
    }),
    keylessApi("pub-hooks", "/hooks/", up.url, goplugin({ pre: [hook("hook-logger", "PreHook")], post: [hook("hook-logger", "PostHook")], response: [hook("hook-logger", "ResponseHook")] })),
    goAuth("pub-hooks-auth", "/hooks-auth/", up.url, { auth_check: hook("hook-logger", "AuthCheckHook"), post_key_auth: [hook("hook-logger", "PostKeyAuthHook")] }),
    goAuth("pub-session", "/session/", up.url, { auth_check: hook("session-alias", "MyPluginAuthCheck"), post: [hook("session-alias", "LogSession")] }),
    keylessApi("pub-sprig", "/sprig/", up.url, { ...goplugin({ pre: [hook("sprig-template", "AddFooBarHeader")] }), name: "  Sprig Templates  " }),
    {
      ...keylessApi("pub-analytics", "/analytics/", up.url),
      enable_detailed_recording: true,
      analytics_plugin: { enable: true, plugin_path: so("complex-plugin"), func_name: "MyAnalyticsPluginMaskJSONLoginBody" },
    },
  ];
  // Plugins that read their settings from the environment in init() get them
  // from the gateway's environment, which it inherits from this process.
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  try {
    Object.assign(process.env, env);
    gw = await startGatewayProcess(
      { enable_analytics: true, rate_limit_response_headers: "rate_limits", plugin_gateway: { analytics_file: "./analytics.jsonl" } },
      apis,
      { "pub-nlq.json": JSON.stringify(nlqOas(up.url)) },
    );
  } finally {
    for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  }
});

after(async () => {
  await gw?.stop();
  await up?.close();
  await aux?.close();
});

async function echoOf(res: Response): Promise<Echo> {
  const text = await res.text();
  assert.equal(res.status, 200, `expected the upstream's echo, got ${res.status}: ${text}`);
  assert.equal(res.headers.get("x-upstream"), "yes", "answered by the upstream");
  return JSON.parse(text);
}
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gw.url}${path}`, { headers });
const logsSince = (n: number) => gw.logs.slice(n);

// --- JWT claims ---------------------------------------------------------------

test("jwt-policy-claim (tyk-demo ParseJWT): the token's pol claim reaches the upstream as X-JWT-Policy-Id", async () => {
  const token = unsignedJwt({ sub: "user-1", pol: "5e189590801287e42a6cf5ce" });
  const echo = await echoOf(await get("/jwt-policy/orders", { authorization: token }));
  assert.equal(echo.headers["x-jwt-policy-id"], "5e189590801287e42a6cf5ce");
  assert.equal(echo.headers.authorization, token, "the token itself goes on untouched");
  const without = await echoOf(await get("/jwt-policy/orders", { authorization: unsignedJwt({ sub: "user-1" }) }));
  assert.equal(without.headers["x-jwt-policy-id"], undefined);
  const notJwt = await echoOf(await get("/jwt-policy/orders", { authorization: "opaque-token" }));
  assert.equal(notJwt.headers["x-jwt-policy-id"], undefined);
});

test("jwt-claim-header (golang-jwt/jwt/v5): a known pol claim becomes X-Tyk-Pol-Val, an unknown one nothing", async () => {
  const silver = await echoOf(await get("/jwt-claim/x", { authorization: `Bearer ${unsignedJwt({ pol: "5f8d0c1e2a4b6c0011aa0002" })}` }));
  assert.equal(silver.headers["x-tyk-pol-val"], "silver");
  const gold = await echoOf(await get("/jwt-claim/x", { authorization: unsignedJwt({ pol: "5f8d0c1e2a4b6c0011aa0001" }) }));
  assert.equal(gold.headers["x-tyk-pol-val"], "gold", "without the Bearer prefix too");
  const unknown = await echoOf(await get("/jwt-claim/x", { authorization: `bearer ${unsignedJwt({ pol: "someone-else" })}` }));
  assert.equal(unknown.headers["x-tyk-pol-val"], undefined);
});

test("jws-signer (golang-jwt/jwt/v4, key loaded in init from $TYK_JWT_PLUGIN_CONFIG): the upstream gets an RS256 JWT it can verify", async () => {
  const echo = await echoOf(await fetch(`${gw.url}/jws/payments/7`, { method: "DELETE" }));
  const jws = String(echo.headers.jwt ?? "");
  const [h, p, sig] = jws.split(".");
  assert.ok(sig, `a signed JWT in the Jwt header, got ${JSON.stringify(jws)}`);
  assert.deepEqual(JSON.parse(Buffer.from(h, "base64url").toString()), { alg: "RS256", typ: "JWT" });
  assert.ok(createVerify("RSA-SHA256").update(`${h}.${p}`).verify(jwsPublic, Buffer.from(sig, "base64url")), "signed with the key the plugin loaded");
  const claims = JSON.parse(Buffer.from(p, "base64url").toString());
  assert.equal(claims.nbf, Date.UTC(2015, 9, 10, 12) / 1000);
  assert.equal(claims.iss, "tyk-gateway");
  assert.equal(claims.sub, "DELETE /jws/payments/7", "a pre hook sees the path with the listen path");
});

// --- Header/URL rewrite from header, query or body --------------------------------

test("store-upstream-rewrite: the store number from the header, the query or an XML body sends the request to the tax service path", async () => {
  const fromHeader = await echoOf(await get("/store/tax?region=eu", { storeNumber: "1234" }));
  assert.equal(fromHeader.url, "/store-tax-service-v1/?region=eu", "the relative path joins the API's target, the query stays");
  const fromQuery = await echoOf(await get("/store/tax?storeNumber=5678", { storeNumber: "12345" }));
  assert.equal(fromQuery.url, "/store-tax-service-v1/?storeNumber=5678", "an invalid header falls back to the query");
  const xml = `<?xml version="1.0"?><order><storeNumber>4321</storeNumber><total>10.00</total></order>`;
  const fromBody = await echoOf(await fetch(`${gw.url}/store/tax`, { method: "POST", headers: { "content-type": "application/xml" }, body: xml }));
  assert.equal(fromBody.url, "/store-tax-service-v1/");
  assert.equal(fromBody.body, xml, "the plugin read the body; the upstream still gets all of it");
});

test("store-upstream-rewrite: no store number is 400 with no body; the host list it builds on its copy of the definition does not reroute", async () => {
  const before = up.hits;
  for (const init of <RequestInit[]>[
    { headers: { storeNumber: "12" } },
    { method: "POST", headers: { "content-type": "application/json" }, body: `{"storeNumber":"1234"}` },
    { method: "POST", headers: { "content-type": "application/xml" }, body: "<order><storeNumber>99</storeNumber></order>" },
  ]) {
    const res = await fetch(`${gw.url}/store/tax`, init);
    assert.equal(res.status, 400, JSON.stringify(init));
    assert.equal(await res.text(), "");
  }
  assert.equal(up.hits, before, "refused requests never reach the upstream");
  // https://1234store.com/ was put in the definition's StructuredTargetList with
  // load balancing on: ctx.GetDefinition returns a copy, so the API's own
  // target still serves (the echo above came from it).
  await echoOf(await get("/store/tax", { storeNumber: "1234" }));
  assert.equal(up.hits, before + 1);
});

// --- Custom authentication, sessions and rate limits --------------------------------

test("multi-hook-auth-time: the auth hook refuses unknown keys with its own 403 JSON", async () => {
  const res = await get("/multi/x", { authorization: "nope" });
  assert.equal(res.status, 403);
  assert.deepEqual(await res.json(), { reason: "Access forbidden" });
  const none = await get("/multi/x");
  assert.equal(none.status, 403);
  await none.text();
});

test("multi-hook-auth-time: the post hook answers ?get_time=yes itself, else stamps the request; the session is saved as key abc", async () => {
  const before = up.hits;
  const t0 = Date.now();
  const res = await get("/multi/now?get_time=yes", { authorization: "abc" });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  const { current_time } = await res.json();
  assert.ok(Math.abs(Date.parse(current_time) - t0) < 60_000, `a current time, got ${current_time}`);
  assert.equal(up.hits, before, "answered by the plugin");
  const echo = await echoOf(await get("/multi/orders", { authorization: "abc" }));
  assert.equal(echo.headers.foo, "Bar");
  assert.ok(!Number.isNaN(Date.parse(String(echo.headers.current_time))), `current_time header, got ${echo.headers.current_time}`);
  const key = await fetch(`${gw.url}/tyk/keys/abc`, { headers: admin });
  assert.equal(key.status, 200);
  assert.equal((await key.json()).alias, "abc-session");
});

test("inject-metadata: a key's meta_data.foo reaches the upstream as X-Plugin-Inject; a non-string foo is logged and skipped", async () => {
  const createKey = async (meta: Record<string, unknown>) => {
    const res = await fetch(`${gw.url}/tyk/keys`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ org_id: "default", rate: 0, per: 0, quota_max: -1, access_rights: { "pub-meta": { api_id: "pub-meta", api_name: "meta", versions: ["Default"] } }, meta_data: meta }),
    });
    const out = await res.json();
    assert.equal(res.status, 200, JSON.stringify(out));
    return out.key as string;
  };
  const withFoo = await createKey({ foo: "from-key-metadata" });
  const echo = await echoOf(await get("/meta/x", { authorization: withFoo }));
  assert.equal(echo.headers["x-plugin-inject"], "from-key-metadata");
  const mark = gw.logs.length;
  const numeric = await createKey({ foo: 42 });
  const other = await echoOf(await get("/meta/x", { authorization: numeric }));
  assert.equal(other.headers["x-plugin-inject"], undefined);
  await gw.waitForLog((l) => gw.logs.indexOf(l) >= mark && l.msg === "inject-metadata: meta_data.foo is missing or not a string" && l.api_id === "pub-meta");
});

test("introspection-session (tyk-demo, auth_check): an active token becomes a session; identity reaches the upstream", async () => {
  const n = aux.introspections.length;
  const echo = await echoOf(await get("/idp/pets", { authorization: "Bearer alice-token" }));
  assert.equal(echo.headers["x-oauth-subject"], "alice");
  assert.equal(echo.headers["x-oauth-client-id"], "web-app");
  assert.equal(echo.headers["x-oauth-username"], "alice");
  assert.equal(echo.headers["x-oauth-scope"], "profile email");
  const call = aux.introspections[n];
  assert.equal(call.path, "/realms/tyk/introspect");
  assert.equal(call.form.token, "alice-token");
  assert.equal(call.contentType, "application/x-www-form-urlencoded");
  const service = await echoOf(await get("/idp/pets", { authorization: "Bearer service-token" }));
  assert.equal(service.headers["x-oauth-client-id"], "batch-job");
  assert.equal(service.headers["x-oauth-subject"], "");
});

test("introspection-session: missing, inactive and unverifiable tokens get the plugin's OAuth errors", async () => {
  const missing = await get("/idp/pets");
  assert.equal(missing.status, 401);
  assert.deepEqual(await missing.json(), { error: "missing_token", error_description: "Bearer token is required" });
  const basic = await get("/idp/pets", { authorization: "Basic YTpi" });
  assert.equal(basic.status, 401, "not a bearer token");
  await basic.text();
  const inactive = await get("/idp/pets", { authorization: "Bearer revoked" });
  assert.equal(inactive.status, 401);
  assert.deepEqual(await inactive.json(), { error: "invalid_token", error_description: "Token is not active" });
  const down = await get("/idp/pets", { authorization: "Bearer boom-token" });
  assert.equal(down.status, 500);
  assert.deepEqual(await down.json(), { error: "introspection_failed", error_description: "Failed to introspect token" });
});

test("introspection-session: a token with exp gets Expires = its remaining lifetime, which Tyk reads as a Unix time: the key has expired", async () => {
  // The plugin sets Expires to exp - now (about 3600). Tyk's session.Expires
  // is a Unix time, so the session counts as expired in 1970 and Tyk's
  // key-expiry check after authentication refuses it.
  const res = await get("/idp/pets", { authorization: "Bearer exp-token" });
  assert.equal(res.status, 401);
  assert.deepEqual(await res.json(), { error: "Key has expired, please renew" });
});

test("ip-rate-limiter: each client IP is its own session limited to 2 requests per 10 s", async () => {
  const a = { "x-real-ip": "203.0.113.7" };
  const b = { "x-real-ip": "203.0.113.8" };
  await echoOf(await get("/ip-limit/x", a));
  await echoOf(await get("/ip-limit/x", a));
  const third = await get("/ip-limit/x", a);
  assert.equal(third.status, 429);
  assert.deepEqual(await third.json(), { error: "Rate Limit Exceeded" });
  await echoOf(await get("/ip-limit/x", b));
  const key = await fetch(`${gw.url}/tyk/keys/203.0.113.7`, { headers: admin });
  assert.equal(key.status, 200, "the IP's session was saved (scheduled update)");
  const saved = await key.json();
  assert.equal(saved.alias, "ip-session-203.0.113.7");
  assert.equal(saved.rate, 2);
  assert.equal(saved.per, 10);
});

test("qa-token-auth (Tyk's QA plugin): two known tokens, 401 otherwise, 2 requests per 10 s each, Foo: Bar from the pre hook", async () => {
  const t1 = { authorization: "0e6f3b9a-6a41-4c2e-9d55-2f8f1d0c7a11" };
  const t2 = { authorization: "7c2d8e4f-1b3a-4f6d-8e9c-5a4b3c2d1e0f" };
  const unknown = await get("/qa/x", { authorization: "3be61aa4-0000-0000-0000-105001aa88a5" });
  assert.equal(unknown.status, 401);
  assert.equal(await unknown.text(), "");
  const first = await get("/qa/x", t1);
  assert.equal(first.headers.get("x-ratelimit-limit"), "2");
  assert.equal(first.headers.get("x-ratelimit-remaining"), "1");
  assert.equal((await echoOf(first)).headers.foo, "Bar");
  await echoOf(await get("/qa/x", t1));
  const limited = await get("/qa/x", t1);
  assert.equal(limited.status, 429);
  await limited.text();
  assert.equal((await echoOf(await get("/qa/x", t2))).headers.foo, "Bar", "the other token has its own limit");
});

test("session-alias (tyk-demo): the post hook sees the auth hook's session; its fmt.Println output is kept", async () => {
  const denied = await get("/session/x", { authorization: "xyz" });
  assert.equal(denied.status, 403);
  await denied.text();
  await echoOf(await get("/session/x", { authorization: "abc" }));
  // Tyk prints it on its own stdout; here the shim captures the plugin's stdout into the log.
  await gw.waitForLog((l) => l.stream === "stdout" && l.msg === "Session alias: abc-session");
  await gw.waitForLog((l) => l.msg === "printed 27 bytes, error: <nil>" && l.symbol === "LogSession");
  const key = await fetch(`${gw.url}/tyk/keys/abc`, { headers: admin });
  assert.equal((await key.json()).alias, "abc-session");
});

// --- OAuth against local servers ---------------------------------------------------

test("oauth2-introspection (settings from the environment in init): an active bearer token passes with its scope and without Authorization", async () => {
  const n = aux.introspections.length;
  const echo = await echoOf(await get("/introspect/pets", { authorization: "Bearer good" }));
  assert.equal(echo.headers["x-tyk-plugin-oauth2introspect-scope"], "read:pets write:pets");
  assert.equal(echo.headers.authorization, undefined, "the access token is stripped");
  assert.deepEqual(aux.introspections.slice(n), [
    { path: "/oauth2/introspect", authorization: GATEWAY_CREDENTIAL, contentType: "application/x-www-form-urlencoded", form: { token: "good", token_type_hint: "access_token" } },
  ]);
  const noScope = await echoOf(await get("/introspect/pets", { authorization: "bearer no-scope" }));
  assert.equal(noScope.headers["x-tyk-plugin-oauth2introspect-scope"], undefined);
});

test("oauth2-introspection: an access_token form field works too, and the upstream still gets the whole body", async () => {
  const form = "access_token=good&name=rex";
  const echo = await echoOf(await fetch(`${gw.url}/introspect/pets`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form }));
  assert.equal(echo.headers["x-tyk-plugin-oauth2introspect-scope"], "read:pets write:pets");
  assert.equal(echo.body, form);
});

test("oauth2-introspection: no token or an inactive one is 401, a refused or broken authorization server 500", async () => {
  const before = up.hits;
  const n = aux.introspections.length;
  const none = await get("/introspect/pets");
  assert.equal(none.status, 401);
  assert.equal(await none.text(), "Unauthorized");
  assert.equal(aux.introspections.length, n, "no token: the authorization server is not asked");
  for (const [token, status, text] of [["revoked", 401, "Unauthorized"], ["as-refuses", 500, "Internal Server Error"], ["garbage", 500, "Internal Server Error"]] as const) {
    const res = await get("/introspect/pets", { authorization: `Bearer ${token}` });
    assert.equal(res.status, status, token);
    assert.equal(await res.text(), text, token);
  }
  assert.equal(up.hits, before);
});

test("upstream-oauth2 (client credentials from the environment): the upstream gets the gateway's token, fetched again only when it is about to expire", async () => {
  aux.tokenFails = true;
  const refused = await get("/upstream-oauth/x");
  assert.equal(refused.status, 401, "no token to be had");
  await refused.text();
  aux.tokenFails = false;
  aux.tokenTtl = 0; // expires at once: every request fetches a new one
  const calls = aux.tokenCalls;
  assert.equal((await echoOf(await get("/upstream-oauth/x"))).headers.authorization, `Bearer upstream-token-${calls + 1}`);
  assert.equal((await echoOf(await get("/upstream-oauth/x", { authorization: "client-credential" }))).headers.authorization, `Bearer upstream-token-${calls + 2}`);
  aux.tokenTtl = 3600;
  assert.equal((await echoOf(await get("/upstream-oauth/x"))).headers.authorization, `Bearer upstream-token-${calls + 3}`);
  aux.tokenFails = true; // a cached token needs no token endpoint
  assert.equal((await echoOf(await get("/upstream-oauth/x"))).headers.authorization, `Bearer upstream-token-${calls + 3}`);
  aux.tokenFails = false;
  assert.equal(aux.tokenCalls, calls + 3);
});

// --- Small request hooks ---------------------------------------------------------

test("uuid-query-check (google/uuid): 401 without ?hello, else a fresh v4 X-GoPlugin-Random-Id", async () => {
  const refused = await get("/uuid/x");
  assert.equal(refused.status, 401);
  await refused.text();
  const ids = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const id = String((await echoOf(await get("/uuid/x?hello=world"))).headers["x-goplugin-random-id"]);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 3);
});

test("custom-error: errorHeader 400-403 is answered with that status and the plugin's JSON; other values pass", async () => {
  const before = up.hits;
  for (const code of ["400", "401", "402", "403"]) {
    const res = await get("/custom-error/x", { errorHeader: code });
    assert.equal(res.status, Number(code));
    assert.equal(res.headers.get("content-type"), "application/json");
    const doc = await res.json();
    assert.deepEqual(Object.keys(doc), [code]);
  }
  assert.equal(up.hits, before);
  const passed = await echoOf(await get("/custom-error/x", { errorHeader: "418" }));
  assert.equal(passed.headers.errorheader, "418");
});

test("config-data-headers: every config_data entry becomes a header, formatted by Go's %s", async () => {
  const echo = await echoOf(await get("/config-headers/x"));
  assert.equal(echo.headers["x-team"], "payments");
  // config_data is JSON decoded as Tyk decodes it (numbers float64), and %s of
  // a non-string is Go's "%!s(type=value)".
  assert.equal(echo.headers["x-retries"], "%!s(float64=3)");
  assert.equal(echo.headers["x-enabled"], "%!s(bool=true)");
  assert.equal(echo.headers["x-config-headers"], "added");
});

test("header-validator (the plugin's own packages: plugin-dev/middleware, util/...): required headers, config_data and an AES-sealed API key", async () => {
  const before = up.hits;
  const none = await get("/validated/x");
  assert.equal(none.status, 400);
  assert.equal(none.headers.get("content-type"), "application/json");
  assert.deepEqual(await none.json(), { message: "Missing required headers: Client, CorrelationID", status_code: 400 });
  const half = await get("/validated/x", { client: "mobile" });
  assert.deepEqual(await half.json(), { message: "Missing required headers: CorrelationID", status_code: 400 });
  assert.equal(up.hits, before);
  const echo = await echoOf(await get("/validated/x", { client: "mobile", correlationid: "c-1" }));
  assert.equal(echo.headers.foo, "from-config-data");
  assert.equal(echo.headers.apikey, UPSTREAM_API_KEY, "decrypted with SECRETS_AES_KEY from the environment");
});

test("sprig-template (Tyk's plugin-compiler test plugin: sprig, kr/pretty): Foo: Bar and a greeting rendered from the API name", async () => {
  const echo = await echoOf(await get("/sprig/x"));
  assert.equal(echo.headers.foo, "Bar");
  assert.equal(echo.headers["x-greeting"], "Hello sprig templates");
  await gw.waitForLog((l) => typeof l.msg === "string" && l.msg.startsWith("API Definition ") && l.msg.includes("pub-sprig") && l.symbol === "AddFooBarHeader");
});

// --- Tyk's complex plugin layout: hooks in the plugin's own packages, exported as variables ---

test("complex-plugin: auth failure answers what the auth hook wrote", async () => {
  const res = await get("/complex/plugin_hit", { authorization: "invalid_token" });
  assert.equal(res.status, 403);
  assert.equal(res.headers.get("x-auth-result"), "failed");
  assert.equal(res.headers.get("x-initial-uri"), "/complex/plugin_hit");
  assert.equal(await res.text(), "auth failed");
});

test("complex-plugin: pre, auth_check, post_key_auth and post run in order; the post hook answers", async () => {
  const before = up.hits;
  const res = await get("/complex/plugin_hit?q=1", { authorization: "abc" });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-initial-uri"), "/complex/plugin_hit?q=1");
  assert.equal(res.headers.get("x-auth-result"), "OK");
  assert.equal(res.headers.get("x-session-alias"), "abc-session");
  assert.equal(res.headers.get("x-plugin-data"), "my-plugin-config");
  assert.deepEqual(await res.json(), { message: "post message" });
  assert.equal(up.hits, before);
});

test("complex-plugin: a response hook replaces the body; per-path Go endpoints mark or answer their paths", async () => {
  const res = await get("/complex-resp/anything");
  assert.equal(res.headers.get("x-response-added"), "resp-added");
  assert.equal(res.headers.get("x-plugin-data"), "my-plugin-config");
  assert.equal(await res.text(), `{"message":"response injected message"}`);
  const foo = await get("/complex-resp/foo");
  assert.equal(foo.headers.get("x-foo"), "foo");
  assert.equal(foo.headers.get("x-upstream"), "yes", "the marked request still went upstream");
  await foo.text();
  const before = up.hits;
  const time = await get("/complex-resp/time");
  assert.equal(time.status, 200);
  assert.deepEqual(await time.json(), { current_time: "now" });
  assert.equal(up.hits, before, "answered by the endpoint");
});

test("complex-plugin's analytics plugin masks login bodies in detailed analytics records, not on the wire", async () => {
  const login = JSON.stringify({ email: "a@b.c", password: "hunter2", remember: true });
  const echo = await echoOf(await fetch(`${gw.url}/analytics/login`, { method: "POST", headers: { "content-type": "application/json" }, body: login }));
  assert.equal(echo.body, login, "the upstream gets the real body");
  let rec: Record<string, any> | undefined;
  for (let i = 0; i < 100 && !rec; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      rec = readFileSync(join(gw.dir, "analytics.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((r) => r.api_id === "pub-analytics");
    } catch {
      // not written yet
    }
  }
  assert.ok(rec, "an analytics record for the API");
  const raw = Buffer.from(rec.raw_request, "base64").toString();
  assert.match(raw, /"email":"\*\*\*\*"/);
  assert.match(raw, /"password":"\*\*\*\*"/);
  assert.match(raw, /"remember":true/);
});

// --- Response hooks and capture -------------------------------------------------

test("pipe-to-json: a pipe-delimited upstream answer reaches the client as JSON, with Content-Length to match", async () => {
  const res = await get("/pipe/customers/1");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-response-added"), "resp-added");
  assert.equal(res.headers.get("content-type"), "application/json");
  const text = await res.text();
  assert.equal(res.headers.get("content-length"), String(Buffer.byteLength(text)));
  assert.deepEqual(JSON.parse(text), { field_1: "ACME", field_2: "42", field_3: "Legacy Gateway" }, "the pre hook's header reached the legacy upstream");
});

test("gzip-response: the client gets the upstream's answer gzipped, Content-Encoding and Content-Length set", async () => {
  const res = await rawGet(gw.port, "/gzip-resp/compress-me?x=1");
  assert.equal(res.status, 200);
  assert.equal(res.headers["content-encoding"], "gzip");
  assert.equal(res.headers["content-length"], String(res.body.length));
  const echo = JSON.parse(gunzipSync(res.body).toString()) as Echo;
  assert.equal(echo.url, "/compress-me?x=1");
  const already = await rawGet(gw.port, "/gzip-resp/gzip");
  assert.equal(already.headers["content-encoding"], "gzip", "an upstream's own gzip is left alone");
  assert.equal(gunzipSync(already.body).toString(), "hello gzip ".repeat(100));
});

test("telemetry-capture (APIClarity): the response hook sends the whole exchange to the collector, the client gets it unchanged", async () => {
  const n = aux.telemetry.length;
  const t0 = Date.now();
  const sent = JSON.stringify({ item: "book", qty: 2 });
  const res = await fetch(`${gw.url}/telemetry/orders?x=1`, { method: "POST", headers: { "content-type": "application/json", "x-request-id": "req-42" }, body: sent });
  const got = await res.text();
  const echo = JSON.parse(got) as Echo;
  assert.equal(echo.body, sent, "the upstream got the body");
  assert.equal(aux.telemetry.length, n + 1, "one telemetry record, sent before the client got its answer");
  const t = aux.telemetry[n];
  assert.equal(t.requestID, "req-42");
  assert.equal(t.request.method, "POST");
  assert.equal(t.request.path, "/orders?x=1", "the request the upstream received");
  assert.equal(t.request.host, "127.0.0.1");
  assert.equal(t.destinationAddress, `:${new URL(up.url).port}`);
  assert.equal(Buffer.from(t.request.common.body, "base64").toString(), sent);
  assert.equal(Buffer.from(t.response.common.body, "base64").toString(), got, "the response body as the client got it");
  assert.equal(t.response.statusCode, "200");
  assert.ok(t.request.common.time >= t0 - 1000 && t.request.common.time <= t.response.common.time && t.response.common.time <= Date.now() + 1000, "request time (post hook, kept as int64 in the session's metadata) <= response time");
});

test("nlq-router (gorilla/mux in a pre hook, OAS): a question is routed to the best operation, the answer comes back as text", async () => {
  const question = "Show me the cute pets of the store tags=fluffy";
  const res = await fetch(`${gw.url}/api-bridge-agent/ask`, { method: "POST", headers: { "content-type": "application/nlq" }, body: question });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
  const text = await res.text();
  assert.equal(res.headers.get("content-length"), String(Buffer.byteLength(text)));
  const [asked, answered] = text.split("\n");
  assert.equal(asked, `You asked: ${question}`);
  const prefix = "The API answered 200 OK: ";
  assert.ok(answered.startsWith(prefix), text);
  const echo = JSON.parse(text.slice(text.indexOf(prefix) + prefix.length)) as Echo;
  assert.equal(echo.method, "GET");
  assert.equal(echo.url, "/pets?tags=fluffy");
  assert.equal(echo.body, "");
});

test("nlq-router: below the relevance threshold 404; X-Nl-Config PUT/DELETE answered by the plugin change it; other requests pass untouched", async () => {
  const ask = () => fetch(`${gw.url}/api-bridge-agent/ask`, { method: "POST", headers: { "content-type": "application/nlq" }, body: "Which pets do you have" });
  const before = up.hits;
  const miss = await ask();
  assert.equal(miss.status, 404);
  assert.equal(await miss.text(), "No matching operation found\n");
  const put = await fetch(`${gw.url}/api-bridge-agent/config`, { method: "PUT", headers: { "x-nl-config": "0.05" } });
  assert.equal(put.status, 200);
  await put.text();
  assert.equal(up.hits, before, "configuration and misses never reach the upstream");
  const lenient = await ask();
  assert.equal(lenient.status, 200);
  assert.match(await lenient.text(), /"url":"\/pets"/);
  const del = await fetch(`${gw.url}/api-bridge-agent/config`, { method: "DELETE", headers: { "x-nl-config": "" } });
  assert.equal(del.status, 200);
  await del.text();
  const strict = await ask();
  assert.equal(strict.status, 404);
  await strict.text();
  const plain = await fetch(`${gw.url}/api-bridge-agent/pets/7`, { method: "DELETE" });
  const echo = await echoOf(plain);
  assert.equal(plain.headers.get("content-type"), "application/json", "not rewritten to text");
  assert.equal(echo.method, "DELETE");
  assert.equal(echo.url, "/pets/7");
  const post = await echoOf(await fetch(`${gw.url}/api-bridge-agent/pets`, { method: "POST", headers: { "content-type": "application/json" }, body: `{"name":"rex"}` }));
  assert.equal(post.body, `{"name":"rex"}`);
});

// --- Logging -------------------------------------------------------------------

test("hook-logger: each hook's log record reaches the gateway's log in order, with API and symbol; init's too", async () => {
  await gw.waitForLog((l) => l.msg === "Plugin bootstrapped");
  const mark = gw.logs.length;
  await echoOf(await get("/hooks/some/path"));
  const want = ["Pre request hook is called", "Post request hook is called", "Response hook is called"];
  for (const msg of want) await gw.waitForLog((l) => gw.logs.indexOf(l) >= mark && l.msg === msg && l.api_id === "pub-hooks");
  const seen = logsSince(mark).filter((l) => l.api_id === "pub-hooks" && want.includes(String(l.msg)));
  assert.deepEqual(seen.map((l) => l.msg), want);
  assert.deepEqual(seen.map((l) => l.symbol), ["PreHook", "PostHook", "ResponseHook"]);
  assert.equal(seen[0].path, "/hooks/some/path");
  assert.equal(seen[2].status, 200);
});

test("hook-logger: an auth_check hook that neither sets a session nor answers: as in Tyk, post_key_auth runs, then the key checks refuse the request", async () => {
  const mark = gw.logs.length;
  const res = await get("/hooks-auth/x", { authorization: "anything" });
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), { error: "Session state is missing or unset! Please make sure that auth headers are properly applied" });
  await gw.waitForLog((l) => gw.logs.indexOf(l) >= mark && l.msg === "Request auth check is called" && l.api_id === "pub-hooks-auth");
  await gw.waitForLog((l) => gw.logs.indexOf(l) >= mark && l.msg === "Post key auth hook is called" && l.api_id === "pub-hooks-auth");
});

// --- Building ---------------------------------------------------------------------

// The builder drops a Tyk plugin's `// indirect` requirements (Tyk's own graph), but gives back those the plugin
// uses: without that this plugin got uuid v1.1.1 (sprig's) and could not load beside uuid-query-check (v1.6.0).
test("sprig-template with its uuid pin written as `go mod tidy` writes it (// indirect) still builds with uuid v1.6.0", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tykgw-indirect-pin-"));
  try {
    const plugin = join(dir, "sprig-template");
    cpSync(join(PUBLIC_PLUGIN_SOURCES, "sprig-template"), plugin, { recursive: true });
    const mod = readFileSync(join(plugin, "go.mod"), "utf8").replace("require github.com/google/uuid v1.6.0", "require github.com/google/uuid v1.6.0 // indirect");
    assert.match(mod, /uuid v1\.6\.0 \/\/ indirect/);
    writeFileSync(join(plugin, "go.mod"), mod);
    const info = shim.info();
    const { output } = await buildPlugin({ pluginDir: plugin, output: join(dir, "p.so"), shimDir: SHIM_SOURCE_DIR, shimGo: info.go, shimDeps: info.deps, gatewayVersion: GATEWAY_VERSION });
    assert.match(execFileSync("go", ["version", "-m", output], { encoding: "utf8" }), /dep\s+github\.com\/google\/uuid\s+v1\.6\.0\s/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
