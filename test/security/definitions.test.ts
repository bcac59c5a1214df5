// Definitions fail closed: two definitions that claim the same listen path or
// api_id never let the weaker one serve what the other protects, and no
// definition may take a listen path under /tyk/ (the Gateway API).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type GatewayProcess, keylessApi, SECRET, startGatewayProcess } from "../helpers/gateway.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const admin = { "x-tyk-authorization": SECRET };
let up: Upstream;

before(async () => {
  up = await startUpstream();
});

after(async () => {
  await up?.close();
});

const keyed = (id: string, listenPath: string) => ({ ...keylessApi(id, listenPath, up.url), use_keyless: false, use_standard_auth: true });

/** GETs `path` and reports the status and whether the upstream answered. */
async function get(gw: GatewayProcess, path: string): Promise<{ status: number; upstream: boolean }> {
  const res = await fetch(`${gw.url}${path}`, { signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  return { status: res.status, upstream: res.headers.get("x-upstream") === "yes" };
}

const skipped = (gw: GatewayProcess, file: string) =>
  gw.logs.filter((l) => l.file === join(gw.appPath, file) && typeof l.msg === "string" && l.msg.startsWith("API definition skipped"));

test("definitions: two files claiming one listen path at start-up: neither serves it, and nothing shorter does either", async () => {
  const gw = await startGatewayProcess({}, [
    keylessApi("root", "/", up.url),
    keyed("secure", "/admin/"),
    keylessApi("open", "/admin", up.url), // the same listen path, spelled without the slash
  ], {
    // One api_id in two files (a key for it would open both).
    "ids-a.json": JSON.stringify(keyed("ids", "/ids-a/")),
    "ids-b.json": JSON.stringify(keylessApi("ids", "/ids-b/", up.url)),
  });
  try {
    for (const path of ["/admin/secret", "/admin", "/ids-a/x", "/ids-b/x"]) {
      const r = await get(gw, path);
      assert.equal(r.upstream, false, `${path} reached the upstream without a key`);
      assert.equal(r.status, 500, `${path}: a conflicting listen path answers 500, got ${r.status}`);
    }
    assert.equal((await get(gw, "/other")).upstream, true, "the rest of the gateway serves");
    for (const [file, other] of [["secure.json", "open.json"], ["open.json", "secure.json"], ["ids-a.json", "ids-b.json"], ["ids-b.json", "ids-a.json"]]) {
      const lines = skipped(gw, file);
      assert.ok(lines.some((l) => String(l.msg).includes(other)), `${file}: the refusal names ${other}: ${JSON.stringify(lines)}`);
    }
  } finally {
    await gw.stop();
  }
});

test("definitions: a newcomer claiming a served listen path on reload is refused; the API that served it keeps it", async () => {
  const gw = await startGatewayProcess({}, [keylessApi("root", "/", up.url), keyed("secure", "/admin/")]);
  try {
    assert.equal((await get(gw, "/admin/x")).status, 401);
    // Sorts before secure.json: "first file wins" would hand /admin/ to it.
    writeFileSync(join(gw.appPath, "0-intruder.json"), JSON.stringify(keylessApi("intruder", "/admin/", up.url)));
    writeFileSync(join(gw.appPath, "0-twin.json"), JSON.stringify(keylessApi("secure", "/elsewhere/", up.url)));
    const res = await fetch(`${gw.url}/tyk/reload?block=true`, { headers: admin });
    await res.text();
    const r = await get(gw, "/admin/x");
    assert.deepEqual(r, { status: 401, upstream: false }, "still the keyed API");
    assert.deepEqual(await get(gw, "/elsewhere/x"), { status: 500, upstream: false }, "what a refused definition names is not left to a shorter listen path");
    for (const file of ["0-intruder.json", "0-twin.json"]) {
      assert.ok(skipped(gw, file).some((l) => String(l.msg).includes("secure.json")), `${file}: refused, naming secure.json`);
    }
  } finally {
    await gw.stop();
  }
});

test("definitions: a listen path under /tyk/ is refused at load and through /tyk/apis, in any spelling", async () => {
  const spellings = ["/tyk/keys/", "/tyk", "/tyk/", "/%74yk/", "/x/../tyk/apis/", "/tyk//reload", "/tyk%00/", "/tyk%5c/", "/%2574yk/"];
  const gw = await startGatewayProcess({}, spellings.map((lp, i) => keylessApi(`under-tyk-${i}`, lp, up.url)));
  try {
    for (let i = 0; i < spellings.length; i++) {
      const lines = skipped(gw, `under-tyk-${i}.json`);
      assert.ok(lines.some((l) => String(l.msg).includes("proxy.listen_path")), `${spellings[i]}: refused naming the field: ${JSON.stringify(lines)}`);
    }
    const hits = up.hits;
    for (const path of ["/tyk/keys/x", "/tyk/apis", "/tyk/reload"]) {
      const res = await fetch(`${gw.url}${path}`);
      await res.text();
      assert.equal(res.status, 403, `${path} still needs the secret`);
    }
    assert.equal(up.hits, hits, "nothing under /tyk/ reached an upstream");
    for (const lp of spellings) {
      const res = await fetch(`${gw.url}/tyk/apis`, { method: "POST", headers: admin, body: JSON.stringify(keylessApi("via-api", lp, up.url)) });
      const body = await res.text();
      assert.equal(res.status, 400, `${lp}: ${body}`);
      assert.match(body, /listen_path/);
    }
  } finally {
    await gw.stop();
  }
});

test("definitions: every spelling of one listen path is one listen path (decoded, clean) for routing and conflicts", async () => {
  const gw = await startGatewayProcess({}, [keylessApi("root", "/", up.url), keyed("secure", "/admin/")], {
    "spelled-a.json": JSON.stringify(keylessApi("spelled-a", "/%61dmin/", up.url)),
    "spelled-b.json": JSON.stringify(keylessApi("spelled-b", "/x/../admin//", up.url)),
  });
  try {
    for (const path of ["/admin/x", "/%61dmin/x"]) {
      const r = await get(gw, path);
      assert.equal(r.upstream, false, `${path} reached an upstream`);
      assert.equal(r.status, 500, `${path}: contested, got ${r.status}`);
    }
    for (const file of ["spelled-a.json", "spelled-b.json"]) {
      assert.ok(skipped(gw, file).some((l) => String(l.msg).includes("secure.json")), `${file}: refused, naming secure.json`);
    }
  } finally {
    await gw.stop();
  }
});
