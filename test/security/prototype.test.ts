// Data is never a prototype: names chosen by whoever wrote the JSON (API ids, version names, metadata, config_data,
// operation ids, security scheme names, log levels, unknown fields) are kept as data wherever a map is read from
// outside (keys through /tyk/keys, sessions from the store, definitions, OAS documents, tyk.conf, bundle
// manifests), and no lookup of such a name finds a member of Object.prototype.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parseManifestText } from "../../src/bundles/manifest.ts";
import { parseAnyApiDefinition } from "../../src/config/oas-definition.ts";
import { loadTykConf } from "../../src/config/tyk-conf.ts";
import { ConfigError } from "../../src/config/validate.ts";
import { parseSession } from "../../src/store/session.ts";
import { type GatewayProcess, keylessApi, SECRET, startGatewayProcess } from "../helpers/gateway.ts";
import { testShim } from "../helpers/shim.ts";
import { type Echo, startUpstream, type Upstream } from "../helpers/upstream.ts";

/** Names that a plain object answers from Object.prototype, or hands to its prototype setter. */
const NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty"] as const;

/** An object whose own keys are `names` (Object.fromEntries, unlike a literal, makes "__proto__" an own key). */
const mapOf = <T>(names: readonly string[], value: (name: string) => T): Record<string, T> =>
  Object.fromEntries(names.map((n) => [n, value(n)]));

const sorted = (keys: Iterable<string>) => [...keys].sort();
const admin = { "x-tyk-authorization": SECRET };

const { plugins } = await testShim();
let up: Upstream;
let gw: GatewayProcess;

/** A keyed API whose id, version name, config_data keys and an unknown top-level field are `id`'s kind of name. */
function keyedApi(id: string, listenPath: string): Record<string, unknown> {
  return {
    ...keylessApi(id, listenPath, up.url),
    use_keyless: false,
    use_standard_auth: true,
    auth: { auth_header_name: "Authorization" },
    config_data: mapOf(NAMES, (n) => `cfg-${n}`),
    custom_middleware: { driver: "goplugin", post_key_auth: [{ name: "ShowData", path: plugins.datakeys }] },
    version_data: {
      not_versioned: true,
      default_version: id,
      versions: mapOf([id], () => ({
        name: id,
        use_extended_paths: true,
        extended_paths: {
          go_plugin: [{ path: "/virtual", method: "GET", plugin_path: plugins.datakeys, func_name: "Virtual" }],
          ...mapOf([id], () => []),
        },
      })),
    },
    ...mapOf([id], () => ({ ignored: true })),
  };
}

const listenPath = (i: number) => `/p${i}/`;

before(async () => {
  up = await startUpstream();
  gw = await startGatewayProcess({}, [
    ...NAMES.map((n, i) => keyedApi(n, listenPath(i))),
    { ...keyedApi("plain", "/plain/"), custom_middleware: {}, version_data: {} },
  ]);
});

after(async () => {
  await gw?.stop();
  await up?.close();
});

async function createKey(body: unknown): Promise<string> {
  const res = await fetch(`${gw.url}/tyk/keys`, { method: "POST", headers: admin, body: JSON.stringify(body) });
  const out = await res.json();
  assert.equal(res.status, 200, JSON.stringify(out));
  return out.key;
}

const get = (path: string, key: string) => fetch(`${gw.url}${path}`, { headers: { authorization: key } });

async function status(path: string, key: string): Promise<number> {
  const res = await get(path, key);
  await res.body?.cancel();
  return res.status;
}

test("a key's access_rights keyed by such a name open exactly that API, with its own limit, and plugins see the names", async () => {
  for (const [i, name] of NAMES.entries()) {
    const key = await createKey({
      org_id: "default",
      access_rights: mapOf(
        [name],
        () => ({ api_id: name, api_name: name, versions: ["Default"], limit: { rate: 1, per: 60, quota_max: -1 } }),
      ),
      meta_data: mapOf(NAMES, (n) => `meta-${n}`),
    });
    const res = await get(`${listenPath(i)}get`, key);
    assert.equal(res.status, 200, `${name}: its own API`);
    const echo: Echo = await res.json();
    // Go read the session and the definition with every name as a key.
    assert.deepEqual(JSON.parse(String(echo.headers["x-rights"])), [name]);
    assert.deepEqual(JSON.parse(String(echo.headers["x-meta"])), mapOf(NAMES, (n) => `meta-${n}`));
    assert.deepEqual(JSON.parse(String(echo.headers["x-config"])), mapOf(NAMES, (n) => `cfg-${n}`));
    // The per-API limit was read from the entry named `name`: one request per minute.
    assert.equal(await status(`${listenPath(i)}get`, key), 429, `${name}: its access right's rate limit`);
    // Not a master key: other APIs stay closed although allow_master_keys is off.
    assert.equal(await status("/plain/get", key), 403, `${name}: the plain API`);
    for (const j of NAMES.keys()) {
      if (j !== i) assert.equal(await status(`${listenPath(j)}get`, key), 403, `${name}: API ${NAMES[j]}`);
    }

    const stored = await (await fetch(`${gw.url}/tyk/keys/${key}`, { headers: admin })).json();
    assert.deepEqual(Object.keys(stored.access_rights), [name]);
    assert.deepEqual(sorted(Object.keys(stored.meta_data)), sorted(NAMES));
  }
});

test("a key for another API is refused on APIs named like Object.prototype members", async () => {
  const key = await createKey({
    org_id: "default",
    access_rights: { plain: { api_id: "plain", versions: ["Default"] } },
  });
  assert.equal(await status("/plain/get", key), 200);
  for (const [i, name] of NAMES.entries()) assert.equal(await status(`${listenPath(i)}get`, key), 403, name);
});

test("a version named like Object.prototype members serves its virtual endpoints", async () => {
  for (const [i, name] of NAMES.entries()) {
    const key = await createKey({ org_id: "default", access_rights: mapOf([name], () => ({ api_id: name })) });
    const res = await get(`${listenPath(i)}virtual`, key);
    assert.equal(res.status, 200, name);
    assert.equal(await res.text(), "virtual", `${name}: answered by the version's Go virtual endpoint`);
  }
});

test("sessions from the store keep every key of access_rights, meta_data and oauth_keys, and find no others", () => {
  const json = JSON.stringify({
    access_rights: mapOf(NAMES, (n) => ({ api_id: n, limit: { rate: 2, per: 1 } })),
    meta_data: mapOf(NAMES, (n) => ({ nested: n })),
    oauth_keys: mapOf(NAMES, (n) => `client-${n}`),
  });
  const session = parseSession(json);
  for (const name of NAMES) {
    assert.equal(session.access_rights?.[name]?.api_id, name);
    assert.equal(session.access_rights?.[name]?.limit?.rate, 2);
    assert.deepEqual(session.meta_data?.[name], { nested: name });
    assert.equal(session.oauth_keys?.[name], `client-${name}`);
  }
  const other = parseSession('{"access_rights":{"a":{"api_id":"a"}},"meta_data":{"a":1},"oauth_keys":{}}');
  for (const name of NAMES) {
    assert.equal(other.access_rights?.[name], undefined, name);
    assert.equal(other.meta_data?.[name], undefined, name);
    assert.equal(other.oauth_keys?.[name], undefined, name);
  }
  // A value under such a name is checked like any other.
  assert.throws(() => parseSession('{"access_rights":{"__proto__":{"limit":{"rate":"x"}}}}'));
});

test("Classic definitions: such names as map keys and fields are data, and absent ones are not found", () => {
  for (const name of NAMES) {
    const data = {
      api_id: "a",
      proxy: { listen_path: "/a/", target_url: "http://127.0.0.1:1" },
      auth_configs: mapOf([name], () => ({ auth_header_name: `X-${name}` })),
      config_data: mapOf([name], () => ({ v: name })),
      version_data: {
        default_version: name,
        versions: mapOf([name], () => ({ name, extended_paths: { go_plugin: [], ...mapOf([name], () => []) } })),
      },
      ...mapOf([name], () => ({ x: 1 })),
    };
    const { def, unknownFields } = parseAnyApiDefinition(data, "a.json");
    assert.equal(def.auth_configs[name]?.auth_header_name, `X-${name}`);
    assert.deepEqual(def.config_data[name], { v: name });
    assert.equal(def.version_data.versions[name]?.name, name);
    assert.ok(unknownFields.includes(name), `${name} is reported as an unknown field: ${unknownFields}`);
    const empty = parseAnyApiDefinition({ api_id: "b", proxy: data.proxy }, "b.json").def;
    for (const other of NAMES) {
      assert.equal(empty.config_data[other], undefined);
      assert.equal(empty.auth_configs[other], undefined);
      assert.equal(empty.version_data.versions[other], undefined);
    }
  }
});

test("OAS definitions: operation ids, security schemes and plugin data keep such names as data", () => {
  for (const name of NAMES) {
    const doc = {
      openapi: "3.0.3",
      info: { title: "t", version: "1" },
      paths: { "/op": { get: { operationId: name } } },
      security: [mapOf([name], () => [])],
      components: { securitySchemes: mapOf([name], () => ({ type: "apiKey", in: "header", name: "X-Key" })) },
      "x-tyk-api-gateway": {
        info: { id: "o", name: "o", state: { active: true } },
        upstream: { url: "http://127.0.0.1:1" },
        server: {
          listenPath: { value: "/o/" },
          authentication: { enabled: true, securitySchemes: mapOf([name], () => ({ enabled: true })) },
        },
        middleware: {
          global: { pluginConfig: { driver: "goplugin", data: { enabled: true, value: mapOf([name], () => 1) } } },
          operations: mapOf([name], () => ({ postPlugins: [{ enabled: true, functionName: "F", path: "p.so" }] })),
        },
      },
    };
    const { def } = parseAnyApiDefinition(doc, "o.json");
    assert.equal(def.use_standard_auth, true, `${name}: the token scheme is in effect`);
    assert.equal(def.auth.auth_header_name, "X-Key");
    assert.equal(def.config_data[name], 1);
    assert.deepEqual(
      def.version_data.versions.Default?.extended_paths.go_plugin.map((p) => [p.path, p.func_name]),
      [["^/op$", "F"]],
      `${name}: the operation's plugin`,
    );
    // A scheme in effect that components does not define is an error, whatever its name.
    const missing = { ...doc, components: {} };
    assert.throws(
      () => parseAnyApiDefinition(missing, "o.json"),
      (err) =>
        err instanceof ConfigError && err.message.includes("components.securitySchemes") &&
        err.message.includes("missing"),
      name,
    );
  }
});

test("tyk.conf: a log_level named like a prototype member is refused; such fields are unknown, not fatal", () => {
  const dir = mkdtempSync(join(tmpdir(), "tykgw-proto-"));
  for (const name of NAMES) {
    const file = join(dir, "tyk.conf");
    writeFileSync(file, JSON.stringify({ log_level: name }));
    assert.throws(() => loadTykConf(file), (err) => err instanceof ConfigError && err.field === "log_level", name);
    writeFileSync(file, JSON.stringify({ ...mapOf([name], () => ({})), storage: mapOf([name], () => 1) }));
    const { conf, unknownFields } = loadTykConf(file);
    assert.equal(conf.log_level, "info");
    assert.deepEqual(sorted(unknownFields), sorted([name, `storage.${name}`]));
  }
});

test("bundle manifests: such fields are reported as unknown, and the manifest loads", () => {
  for (const name of NAMES) {
    const text = JSON.stringify({
      file_list: ["p.so"],
      custom_middleware: { driver: "goplugin", pre: [{ name: "Pre", path: "p.so" }], ...mapOf([name], () => ({})) },
      checksum: "",
      signature: "",
      ...mapOf([name], () => ({})),
    });
    const { manifest, unknownFields } = parseManifestText(text, "manifest.json");
    assert.equal(manifest.custom_middleware.pre[0].name, "Pre");
    assert.deepEqual(sorted(unknownFields), sorted([name, `custom_middleware.${name}`]));
  }
});
