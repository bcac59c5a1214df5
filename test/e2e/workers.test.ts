// plugin_gateway.workers: a supervisor and two workers sharing one port act as one gateway (limits exact across
// workers, reloads and metrics covering all of them, one analytics file), and outlive a plugin that ends its process
// (os.Exit, the standard library's log.Fatal, a panic in its own goroutine) or a worker killed by a signal: the
// supervisor starts it again and only the requests in flight on it fail.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { after, before, test } from "node:test";
import { type Answer, fresh, many } from "../helpers/fresh.ts";
import { type GatewayProcess, keylessApi, runGatewayToExit, SECRET, startGatewayProcess, writeConfig } from "../helpers/gateway.ts";
import { startRedis, type TestRedis } from "../helpers/redis.ts";
import { testShim } from "../helpers/shim.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const { plugins } = await testShim();
let up: Upstream;
let gw: GatewayProcess;
const admin = { "x-tyk-authorization": SECRET };

const dying = () =>
  keylessApi("dying", "/dying/", up.url, { custom_middleware: { driver: "goplugin", pre: [{ name: "Die", path: plugins.procexit }] } });
const keyed = (id: string) => ({
  ...keylessApi(id, `/${id}/`, up.url),
  use_keyless: false,
  use_standard_auth: true,
  auth: { auth_header_name: "Authorization" },
});

before(async () => {
  up = await startUpstream();
  gw = await startGatewayProcess(
    { hash_keys: true, enable_analytics: true, plugin_gateway: { workers: 2, analytics_file: "./analytics.jsonl" } },
    [dying(), keyed("keyed"), keylessApi("open", "/open/", up.url)],
  );
});

after(async () => {
  await gw.stop();
  await up.close();
});

async function createKey(extra: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${gw.url}/tyk/keys`, {
    method: "POST",
    headers: admin,
    body: JSON.stringify({ org_id: "o", access_rights: { keyed: { api_id: "keyed", versions: ["Default"] } }, ...extra }),
  });
  const out = await res.json();
  assert.equal(res.status, 200, JSON.stringify(out));
  return out.key;
}

test("workers: two workers serve one port, each with its own plugins", async () => {
  const answers = await many(gw.port, 40, 8, () => "/dying/x");
  assert.ok(answers.every((a) => a.status === 200));
  assert.equal(new Set(answers.map((a) => a.pid)).size, 2, "both workers answered");
  const listening = gw.logs.filter((l) => String(l.msg).startsWith("worker listening"));
  assert.deepEqual(new Set(listening.map((l) => l.port)), new Set([gw.port]));
});

test("workers: a key limited to N requests gets exactly N across the workers, rate limit and quota alike", async () => {
  const rated = await createKey({ rate: 25, per: 60, quota_max: -1 });
  const quota = await createKey({ rate: 0, per: 0, quota_max: 20, quota_renewal_rate: 3600 });
  const [byRate, byQuota] = await Promise.all([
    many(gw.port, 80, 8, () => "/keyed/r", { authorization: rated }),
    many(gw.port, 80, 8, () => "/keyed/q", { authorization: quota }),
  ]);
  assert.equal(byRate.filter((a) => a.status === 200).length, 25);
  assert.equal(byRate.filter((a) => a.status === 429).length, 55);
  assert.equal(byQuota.filter((a) => a.status === 200).length, 20);
  assert.equal(byQuota.filter((a) => a.status === 403).length, 60);
});

test("workers: /tyk/reload and SIGHUP reach every worker", async () => {
  writeFileSync(join(gw.appPath, "added.json"), JSON.stringify(keylessApi("added", "/added/", up.url)));
  const res = await fetch(`${gw.url}/tyk/reload`, { headers: admin });
  assert.deepEqual(await res.json(), { status: "ok", message: "", loaded: 4, failed: [] });
  assert.deepEqual(new Set((await many(gw.port, 30, 6, () => "/added/x")).map((a) => a.status)), new Set([200]));

  writeFileSync(join(gw.appPath, "hup.json"), JSON.stringify(keylessApi("hup", "/hup/", up.url)));
  const reloaded = gw.logs.filter((l) => l.msg === "SIGHUP: workers reloaded").length;
  // The supervisor's pid is on its "gateway listening" line.
  process.kill(Number(gw.logs.find((l) => String(l.msg).startsWith("gateway listening"))!.pid), "SIGHUP");
  const done = await gw.waitForLog(() => gw.logs.filter((l) => l.msg === "SIGHUP: workers reloaded").length > reloaded, 10_000);
  assert.equal(done.workers, 2);
  assert.deepEqual(new Set((await many(gw.port, 30, 6, () => "/hup/x")).map((a) => a.status)), new Set([200]));
});

test("workers: /tyk/metrics counts every worker's requests", async () => {
  const before = await requestsCounted();
  const answers = await many(gw.port, 30, 6, () => "/open/m");
  assert.equal(new Set(answers.map((a) => a.status)).size, 1);
  assert.equal(await requestsCounted(), before + 30);
});

async function requestsCounted(): Promise<number> {
  const text = await (await fetch(`${gw.url}/tyk/metrics`, { headers: admin })).text();
  assert.match(text, /^tykgw_workers 2$/m);
  return Number(/^tyk_http_requests_total\{api_id="open",code="200"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

/**
 * Keeps `concurrency` fresh requests to /open/ going until `until` settles, then says what happened to them.
 */
async function underLoad(concurrency: number, until: Promise<unknown>): Promise<{ ok: Answer[]; failed: number[] }> {
  let running = true;
  void until.finally(() => (running = false));
  const ok: Answer[] = [];
  const failed: number[] = [];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (running) {
      const started = Date.now();
      try {
        ok.push(await fresh(gw.port, "/open/load"));
      } catch {
        failed.push(started);
      }
    }
  }));
  return { ok, failed };
}

test("workers: a worker killed again and again is started again after a growing pause, and said to keep dying", async () => {
  const serving = () => gw.logs.filter((l) => l.msg === "worker 1 serving");
  for (let round = 1; round <= 2; round++) {
    const before = serving().length;
    process.kill(Number(serving().at(-1)!.worker_pid), "SIGKILL");
    await gw.waitForLog(() => serving().length > before, 20_000);
  }
  const deaths = gw.logs.filter((l) => l.worker === 1 && l.signal === "SIGKILL");
  assert.deepEqual(deaths.map((l) => l.restart_in_ms), [0, 1000], "at once, then after a pause");
  assert.ok(gw.logs.some((l) => /^worker 1 keeps dying: \d+ times in a row/.test(String(l.msg))));
  assert.deepEqual(new Set((await many(gw.port, 20, 4, () => "/open/after")).map((a) => a.status)), new Set([200]));
});

for (
  const [how, header, exit] of [
    ["os.Exit(3)", "exit", { exit_code: 3 }],
    ["the standard library's log.Fatal", "fatal", { exit_code: 1, words: /procexit: giving up/ }],
    // Go aborts a process it does not own (the shim is a C library) on a fatal panic; its report names the hook.
    ["a panic in the plugin's own goroutine", "gopanic", { signal: "SIGABRT", words: /^panic: procexit: panic in a goroutine[^]*created by \S+\.Die /m }],
  ] as const
) {
  test(`workers: a plugin calling ${how} ends only its worker; the supervisor starts it again on the same port`, async () => {
    const deaths = gw.logs.filter((l) => String(l.msg).includes(" died ")).length;
    const died = gw.waitForLog(() => gw.logs.filter((l) => String(l.msg).includes(" died ")).length > deaths, 20_000)
      .then(() => gw.logs.filter((l) => String(l.msg).includes(" died ")).at(-1)!);
    const served = died.then((d) => gw.waitForLog((l) => l.msg === `worker ${d.worker} serving` && Number(l.time) > Number(d.time), 20_000));
    const load = underLoad(4, served.then(() => new Promise((r) => setTimeout(r, 300))));
    await new Promise((r) => setTimeout(r, 200));
    await assert.rejects(fresh(gw.port, "/dying/x", { "x-die": header }));
    const [death, restarted, { ok, failed }] = await Promise.all([died, served, load]);

    if ("exit_code" in exit) assert.equal(death.exit_code, exit.exit_code, JSON.stringify(death));
    else assert.equal(death.signal, exit.signal, JSON.stringify(death));
    if ("words" in exit) assert.match(String(death.last_words), exit.words);
    // The call it died in, from the shim's call slots: os.Exit leaves no other trace.
    assert.deepEqual(death.plugin_calls, [`${plugins.procexit}:Die`], JSON.stringify(death));
    assert.match(String(death.msg), new RegExp(`died \\(.*\\) in plugin call .*procexit.*:Die; starting it again$`));
    // Only requests in flight on the dying worker failed: all started before its death was logged (a loop whose
    // request failed may have sent one more while the process was still being torn down), so a few at most.
    const when = `failed at ${JSON.stringify(failed)}; died at ${death.time}, serving again at ${restarted.time}`;
    assert.ok(failed.length <= 8, `${failed.length} requests failed: ${when}`);
    assert.ok(failed.every((t) => t <= Number(death.time)), `a request started after the death failed: ${when}`);
    assert.ok(ok.some((a) => a.started > Number(death.time) && a.started < Number(restarted.time)), `the other worker served meanwhile: ${when}`);
    assert.ok(ok.every((a) => a.status === 200));
  });
}

test("workers: SIGTERM lets requests in flight on every worker finish, and the analytics file has every record once", async () => {
  const marked = await many(gw.port, 40, 8, (i) => `/open/record-${i}`);
  assert.equal(marked.length, 40);
  const slow = many(gw.port, 4, 4, () => "/open/slow?ms=700");
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await gw.stop(), 0);
  assert.deepEqual((await slow).map((a) => a.status), [200, 200, 200, 200]);
  const lines = readFileSync(join(gw.dir, "analytics.jsonl"), "utf8").split("\n");
  assert.equal(lines.pop(), "", "the file ends with a whole line");
  const paths = lines.map((l) => JSON.parse(l).path as string).filter((p) => p.includes("record-"));
  assert.equal(paths.length, 40);
  assert.equal(new Set(paths).size, 40);
});

test("workers: with Redis, limits are exact across workers too, and watch_app_path reloads every worker", async () => {
  const redis: TestRedis = await startRedis();
  const r = await startGatewayProcess(
    {
      hash_keys: true,
      storage: { type: "redis", host: "127.0.0.1", port: redis.port },
      plugin_gateway: { workers: 2, watch_app_path: true },
    },
    [keyed("keyed")],
  );
  try {
    const res = await fetch(`${r.url}/tyk/keys`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ org_id: "o", rate: 15, per: 60, access_rights: { keyed: { api_id: "keyed", versions: ["Default"] } } }),
    });
    const { key } = await res.json();
    const answers = await many(r.port, 50, 8, () => "/keyed/x", { authorization: key });
    assert.equal(answers.filter((a) => a.status === 200).length, 15);

    writeFileSync(join(r.appPath, "watched.json"), JSON.stringify(keylessApi("watched", "/watched/", up.url)));
    await r.waitForLog((l) => l.msg === "app_path changed: APIs reloaded", 10_000);
    assert.deepEqual(new Set((await many(r.port, 30, 6, () => "/watched/x")).map((a) => a.status)), new Set([200]));
  } finally {
    await r.stop();
    await redis.stop();
  }
});

test("workers: a supervisor killed outright leaves no worker behind, and the next gateway clears its store", async () => {
  const g = await startGatewayProcess({ plugin_gateway: { workers: 2 } }, [keylessApi("open", "/open/", up.url)]);
  const supervisor = Number(g.logs.find((l) => String(l.msg).startsWith("gateway listening"))!.pid);
  const workerPids = g.logs.filter((l) => String(l.msg).endsWith(" serving")).map((l) => Number(l.worker_pid));
  const store = readdirSync("/dev/shm").filter((d) => d.startsWith(`tykgw-${supervisor}-`));
  assert.equal(workerPids.length, 2);
  assert.equal(store.length, 1);
  process.kill(supervisor, "SIGKILL");
  // Their supervisor gone, workers stop as on SIGTERM (they must not hold the port with nobody to restart them).
  for (let i = 0; i < 100 && workerPids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(workerPids.filter(alive), []);
  assert.equal(existsSync(`/dev/shm/${store[0]}`), true, "SIGKILL left the store");

  const { dir, confPath } = writeConfig({ plugin_gateway: { workers: 2, strict_plugins: true } }, [
    keylessApi("broken", "/broken/", up.url, { custom_middleware: { driver: "goplugin", pre: [{ name: "X", path: "/nope.so" }] } }),
  ]);
  // A worker that cannot start stops the gateway, with the worker's reason.
  const { code, stderr } = await runGatewayToExit(confPath, dir);
  assert.equal(code, 1);
  assert.match(stderr, /strict_plugins is on and 1 API or plugin failed to load/);
  assert.match(stderr, /worker 0 exited \(exit code 1\) before it was serving/);
  assert.equal(existsSync(`/dev/shm/${store[0]}`), false, "the next gateway removed it");
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
