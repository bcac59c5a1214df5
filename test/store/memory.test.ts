// MemoryKeyStore: sessions, the rolling window and quota counters. Time is always injected (nowMs), never slept.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryKeyStore } from "../../src/store/memory.ts";
import { parseSession } from "../../src/store/session.ts";
import { embeddedStoreContract, keyStoreContract } from "./contract.ts";

keyStoreContract("memory", async ({ hashKeys }, fn) => {
  const store = new MemoryKeyStore({ hashKeys });
  try {
    await fn(store);
  } finally {
    await store.close();
  }
});

embeddedStoreContract("memory", () => new MemoryKeyStore({ hashKeys: false }));

test("parseSession reads Tyk's session JSON, nulls included, and rejects what is not a session", () => {
  const tyk = parseSession(
    '{"rate":5,"per":1,"access_rights":{"a":{"api_id":"a","versions":null,"limit":null}},"tags":null,' +
      '"meta_data":null,"apply_policies":null,"x_unknown":{"y":1}}',
  );
  assert.equal(tyk.rate, 5);
  assert.equal(tyk.access_rights?.a.limit, null);
  assert.deepEqual(tyk.x_unknown, { y: 1 });
  assert.throws(() => parseSession("[]"));
  assert.throws(() => parseSession('"key"'));
  assert.throws(() => parseSession('{"rate":"5"}'));
  assert.throws(() => parseSession('{"access_rights":{"a":{"limit":{"quota_max":"x"}}}}'));
});

