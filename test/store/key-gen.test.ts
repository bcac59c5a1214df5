import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { test } from "node:test";
import { generateToken } from "../../src/store/key-gen.ts";
import { hashKey, tokenHashAlgo } from "../../src/store/key-hash.ts";

const ORG = "5e9d9544a1dcd60001d0ed20";
const decode = (token: string): unknown => JSON.parse(Buffer.from(token, "base64").toString("utf8"));

test("without hash_key_function a new key is the org id followed by a dashless uuid v4", () => {
  const a = generateToken(ORG);
  const b = generateToken(ORG);
  assert.match(a, new RegExp(`^${ORG}[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$`));
  assert.notEqual(a, b);
});

test("a custom key is stored as org id + key, with a leading org id not repeated", () => {
  assert.equal(generateToken(ORG, "my-custom-key"), ORG + "my-custom-key");
  assert.equal(generateToken(ORG, ORG + "my-custom-key"), ORG + "my-custom-key");
  assert.equal(generateToken("", "my-custom-key"), "my-custom-key");
});

test("with hash_key_function the key is base64 JSON naming org, id and algorithm", () => {
  const token = generateToken(ORG, "abc123", "sha256");
  // Byte-exact: Tyk writes this JSON with Sprintf, field order org, id, h.
  assert.equal(Buffer.from(token, "base64").toString("utf8"), `{"org":"${ORG}","id":"abc123","h":"sha256"}`);
  assert.equal(token, "eyJvcmciOiI1ZTlkOTU0NGExZGNkNjAwMDFkMGVkMjAiLCJpZCI6ImFiYzEyMyIsImgiOiJzaGEyNTYifQ==");
  assert.equal(hashKey(token, ""), hashKey(token, "sha256"));

  const generated = decode(generateToken(ORG, "", "murmur128"));
  assert.ok(typeof generated === "object" && generated !== null);
  assert.deepEqual(Object.keys(generated), ["org", "id", "h"]);
  assert.match(String((generated as Record<string, unknown>).id), /^[0-9a-f]{32}$/);
});

test("an unknown hash_key_function makes a murmur64 token, as Tyk does", () => {
  const token = generateToken(ORG, "k", "md5");
  assert.equal(tokenHashAlgo(token), "murmur64");
  assert.deepEqual(decode(token), { org: ORG, id: "k", h: "murmur64" });
});
