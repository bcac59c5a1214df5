// Tyk OAS API definitions beside Classic ones: plugins see the OAS document
// through ctx.GetOASDefinition (also in response hooks) and nil from
// ctx.GetDefinition; per-operation postPlugins run on their operation only.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type GatewayProcess, keylessApi, SECRET, startGatewayProcess } from "../helpers/gateway.ts";
import { testShim } from "../helpers/shim.ts";
import { type Echo, startUpstream, type Upstream } from "../helpers/upstream.ts";

const { plugins } = await testShim();
let up: Upstream;
let gw: GatewayProcess;

const oasApi = (target: string, auth: boolean) => ({
  openapi: "3.0.3",
  info: { title: "Pets OAS", version: "1.0.0" },
  paths: {
    "/pets": { get: { operationId: "listPets", responses: { "200": { description: "ok" } } } },
    "/pets/{id}": { get: { operationId: "getPet", responses: { "200": { description: "ok" } } } },
  },
  "x-tyk-api-gateway": {
    info: { id: "pets", name: "Pets", state: { active: true } },
    upstream: { url: target },
    server: {
      listenPath: { value: "/pets-api/", strip: true },
      ...(auth ? { authentication: { enabled: true, custom: { enabled: true, config: { enabled: true, functionName: "MyPluginAuthCheck", path: plugins.authcheck } } } } : {}),
    },
    middleware: {
      global: {
        pluginConfig: { driver: "goplugin", data: { enabled: true, value: { animal: "cat" } } },
        prePlugins: [{ enabled: true, functionName: "OASTitle", path: plugins.tykcompat }],
        responsePlugins: [{ enabled: true, functionName: "UpperStatus", path: plugins.respbody }],
      },
      operations: { listPets: { postPlugins: [{ enabled: true, functionName: "ShowDefinition", path: plugins.apidef }] } },
    },
  },
});

before(async () => {
  up = await startUpstream();
  gw = await startGatewayProcess({}, [
    keylessApi("classic", "/classic/", up.url, { custom_middleware: { driver: "goplugin", response: [{ name: "UpperStatus", path: plugins.respbody }] } }),
  ], { "pets-oas.json": JSON.stringify(oasApi(up.url, false)) });
});

after(async () => {
  await gw.stop();
  await up.close();
});

test("oas: an OAS API serves beside Classic ones; a pre plugin reads the OAS title", async () => {
  const res = await fetch(`${gw.url}/pets-api/other`);
  assert.equal(res.status, 201, "UpperStatus response hook ran");
  assert.equal(res.headers.get("x-oas-doc-title"), "Pets OAS");
  assert.equal(res.headers.get("x-api-name"), "oas:Pets OAS", "the response hook sees the OAS document, and no Classic one");
  const echo = JSON.parse((await res.text()).toLowerCase()) as Echo;
  assert.equal(echo.url, "/other");
});

test("oas: an operation's postPlugins run on that operation only", async () => {
  const list = await fetch(`${gw.url}/pets-api/pets`);
  const seen = await list.json();
  assert.deepEqual(seen, { classic: null, oas: { title: "Pets OAS" } });
  const one = await fetch(`${gw.url}/pets-api/pets/7`);
  assert.equal(one.status, 201, "getPet has no post plugin: the request went upstream");
  await one.text();
});

test("oas: on a Classic API the response hook sees the Classic definition", async () => {
  const res = await fetch(`${gw.url}/classic/x`);
  assert.equal(res.headers.get("x-api-name"), "API classic");
  await res.text();
});

test("oas: custom auth on an OAS API, and an OAS definition through /tyk/apis", async () => {
  writeFileSync(join(gw.appPath, "pets-oas.json"), JSON.stringify(oasApi(up.url, true)));
  const admin = { "x-tyk-authorization": SECRET };
  await (await fetch(`${gw.url}/tyk/reload`, { headers: admin })).text();
  const denied = await fetch(`${gw.url}/pets-api/other`, { headers: { authorization: "nope" } });
  assert.equal(denied.status, 403);
  await denied.text();
  const ok = await fetch(`${gw.url}/pets-api/other`, { headers: { authorization: "abc" } });
  assert.equal(ok.status, 201);
  await ok.text();
  const got = await (await fetch(`${gw.url}/tyk/apis/pets`, { headers: admin })).json();
  assert.equal(got.info.title, "Pets OAS");
});
