// Loading policies as Tyk OSS does: a policy_path directory (one policy per file) or a policy_record_name file (ids
// to policies), each policy validated, a bad one skipped with its file and field named.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { policiesRoutes } from "../../src/gateway-api/policies.ts";
import { PolicyStore, policySource } from "../../src/policy/store.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "tykgw-policies-"));

function logCollector() {
  const lines: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  const push = (fields: object, msg: string) => lines.push({ fields: fields as Record<string, unknown>, msg });
  return { lines, log: { warn: push, error: push } };
}

test("policy_path: each *.json file is a policy named by its id; a bad one is skipped, naming file and field", () => {
  const dir = tmp();
  writeFileSync(join(dir, "gold.json"), JSON.stringify({ id: "gold", org_id: "o", rate: 10, per: 60 }));
  writeFileSync(join(dir, "bad.json"), JSON.stringify({ id: "bad", rate: "fast" }));
  writeFileSync(join(dir, "noid.json"), JSON.stringify({ rate: 1 }));
  writeFileSync(join(dir, "notes.txt"), "not a policy");
  const { lines, log } = logCollector();
  const store = new PolicyStore({ kind: "dir", path: dir }, log);
  const report = store.reload();
  assert.deepEqual(report.loaded, ["gold"]);
  assert.deepEqual(report.failed.map((f) => f.error), [
    `${join(dir, "bad.json")}: rate: expected a number, got string`,
    `${join(dir, "noid.json")}: id: required field is missing (expected the policy id, a string)`,
  ]);
  assert.equal(lines.filter((l) => l.msg.startsWith("policy skipped")).length, 2);
  assert.equal(store.get("o", "gold")?.rate, 10);
  assert.equal(store.get("", "gold"), undefined, "found under its own org only");
  assert.equal(store.byId("gold")?.rate, 10);
});

test("policy_record_name: one object of id -> policy, the key naming the policy; an unreadable file keeps the old set", () => {
  const dir = tmp();
  const file = join(dir, "policies.json");
  writeFileSync(file, JSON.stringify({ silver: { id: "ignored", rate: 5, per: 1 }, broken: { quota_max: 1.5 } }));
  const { log } = logCollector();
  const store = new PolicyStore({ kind: "file", path: file }, log);
  const report = store.reload();
  assert.deepEqual(report.loaded, ["silver"]);
  assert.match(report.failed[0].error, /"broken": quota_max: expected an integer/);
  assert.equal(store.get("", "silver")?.rate, 5);
  writeFileSync(file, "{ not json");
  assert.equal(store.reload().failed.length, 1);
  assert.equal(store.get("", "silver")?.rate, 5, "the policies loaded before stay in force");
});

test("policy_path wins over policy_record_name; dashboard and rpc sources are not supported", () => {
  const { lines, log } = logCollector();
  assert.deepEqual(policySource({ policy_source: "file" }, { policy_path: "/p", policy_record_name: "/f.json" }), { kind: "dir", path: "/p" });
  assert.deepEqual(policySource({ policy_source: "" }, { policy_path: "", policy_record_name: "/f.json" }), { kind: "file", path: "/f.json" });
  assert.deepEqual(policySource({ policy_source: "" }, { policy_path: "", policy_record_name: "" }), { kind: "none" });
  assert.deepEqual(policySource({ policy_source: "service" }, { policy_path: "/p", policy_record_name: "" }, log), { kind: "none" });
  assert.match(lines[0].msg, /policy_source "service" is not supported/);
});

test("/tyk/policies writes policies only into policy_path (Tyk's Gateway API manages policies only there)", async () => {
  const dir = tmp();
  const file = join(dir, "policies.json");
  writeFileSync(file, JSON.stringify({ silver: { rate: 5, per: 1 } }));
  const store = new PolicyStore({ kind: "file", path: file });
  store.reload();
  const app = policiesRoutes(store);
  const list = await app.request("/");
  assert.deepEqual((await list.json()).map((p: { id: string }) => p.id), ["silver"]);
  const res = await app.request("/", { method: "POST", body: JSON.stringify({ id: "gold" }) });
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), {
    status: "error",
    message: "Policies can be written only when tyk.conf sets policies.policy_path (as in Tyk)",
  });
});
