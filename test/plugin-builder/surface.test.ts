// The Tyk API plugins reach beyond the basics, as a plugin observes it: a
// load-balanced API's host list (Tyk's upstream-picking examples).
import assert from "node:assert/strict";
import { test } from "node:test";
import { CLASSIC_API, runOnce, testShim } from "../helpers/shim.ts";

const { shim, plugins } = await testShim();

test("tyk API: a load-balanced API's targets reach plugins as Proxy.StructuredTargetList", async () => {
  const loaded = shim.loadPlugin(plugins.hostlist, "PickLast");
  if (!loaded.ok) assert.fail(loaded.error);
  const targets = ["http://a.example", "http://b.example"];
  const lb = shim.registerApi("classic", { ...CLASSIC_API, api_id: "lb", proxy: { ...CLASSIC_API.proxy, enable_load_balancing: true, target_list: targets } });
  const out = await runOnce(shim, lb, [loaded.handle]);
  assert.deepEqual(Object.fromEntries(out.headerChanges ?? []), { "X-Picked": ["http://b.example"], "X-Targets": ["2"], "X-Given": ["yes"] });
  // Tyk builds the list only for load-balanced APIs.
  const plain = shim.registerApi("classic", { ...CLASSIC_API, api_id: "plain", proxy: { ...CLASSIC_API.proxy, target_list: targets } });
  const none = await runOnce(shim, plain, [loaded.handle]);
  assert.deepEqual(Object.fromEntries(none.headerChanges ?? []), { "X-Picked": ["http://b.example"], "X-Targets": ["2"], "X-Given": ["no"] });
});
