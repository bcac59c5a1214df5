// SqliteKeyStore: the store contract, the embedded stores' cases, and exactness across processes sharing one file
// (the gateway's workers), each process deciding under SQLite's write lock.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { SqliteKeyStore } from "../../src/store/sqlite.ts";
import { REPO_ROOT } from "../../src/shim/build.ts";
import { embeddedStoreContract, keyStoreContract, session } from "./contract.ts";

const dir = mkdtempSync(join(tmpdir(), "tykgw-sqlite-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const open = (hashKeys = false) => new SqliteKeyStore({ path: join(dir, `store-${files++}.db`), hashKeys });

keyStoreContract("sqlite", async ({ hashKeys }, fn) => {
  const store = open(hashKeys);
  try {
    await fn(store);
  } finally {
    await store.close();
  }
});

embeddedStoreContract("sqlite", () => open());

test("sqlite: two connections to one file see one state (what one writes, the other reads and counts on)", async () => {
  const path = join(dir, "shared.db");
  const a = new SqliteKeyStore({ path, hashKeys: true });
  const b = new SqliteKeyStore({ path, hashKeys: true });
  try {
    await a.setSession("k", session({ alias: "from-a" }));
    assert.equal((await b.getSession("k"))?.alias, "from-a");
    assert.equal(await b.deleteSession("k"), true);
    assert.equal(await a.getSession("k"), undefined);
    const now = Date.now();
    assert.equal((await a.quotaConsume("quota-k", 2, 60, now)).remaining, 1);
    assert.equal((await b.quotaConsume("quota-k", 2, 60, now)).remaining, 0);
    assert.equal((await a.quotaConsume("quota-k", 2, 60, now)).allowed, false);
  } finally {
    await a.close();
    await b.close();
  }
});

test("sqlite: processes sharing the file never allow more than the limit together, nor less", async () => {
  const path = join(dir, "processes.db");
  await new SqliteKeyStore({ path, hashKeys: false }).close();
  const script = join(REPO_ROOT, "test", "store", "sqlite-worker.ts");
  const bin = join(REPO_ROOT, "node_modules", ".bin", "Bun" in globalThis ? "bun" : "deno");
  const run = () =>
    new Promise<{ rate: number; quota: number }>((resolve, reject) => {
      const args = "Bun" in globalThis ? [script, path, "200"] : ["run", "-A", script, path, "200"];
      const child = spawn(bin, args, { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout.on("data", (c) => (out += c));
      child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}`))));
    });
  const results = await Promise.all([run(), run(), run()]);
  // 600 attempts in all: exactly the limit passes, whichever process made them.
  assert.equal(results.reduce((n, r) => n + r.rate, 0), 100, JSON.stringify(results));
  assert.equal(results.reduce((n, r) => n + r.quota, 0), 100, JSON.stringify(results));
});
