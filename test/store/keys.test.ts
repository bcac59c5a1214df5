// Storage key names, which a Redis store must share with Tyk.
import assert from "node:assert/strict";
import { test } from "node:test";
import { keyHash, quotaStorageKey, rateLimitStorageKey, sessionStorageKey } from "../../src/store/keys.ts";

test("sessions live under apikey- plus the key, or its hash while hash_keys is on", () => {
  assert.equal(keyHash("hello", false), "hello");
  assert.equal(keyHash("hello", true), "248bfa47");
  assert.equal(sessionStorageKey("hello", false), "apikey-hello");
  assert.equal(sessionStorageKey("hello", true), "apikey-248bfa47");
  // ?hashed=true: the caller already has the hash.
  assert.equal(sessionStorageKey("248bfa47", true, { hashed: true }), "apikey-248bfa47");
});

test("quota counters are quota-[scope-]hash", () => {
  assert.equal(quotaStorageKey("248bfa47"), "quota-248bfa47");
  assert.equal(quotaStorageKey("248bfa47", "shared"), "quota-shared-248bfa47");
});

test("rate limit logs are rate-limit-[scope-]hash, joined the way Tyk joins them", () => {
  assert.equal(rateLimitStorageKey("248bfa47"), "rate-limit-248bfa47");
  assert.equal(rateLimitStorageKey("248bfa47", "shared"), "rate-limit-shared-248bfa47");
  // Dashes around each part are trimmed; empty parts are skipped.
  assert.equal(rateLimitStorageKey("248bfa47", "-shared-"), "rate-limit-shared-248bfa47");
});
