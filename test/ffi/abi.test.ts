// The TypeScript mirror (ffi/abi.ts) and the C header agree, and a shim that
// lacks a symbol or has another ABI version is refused with a clear error.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SHIM_ABI_VERSION, Status, SYMBOLS } from "../../ffi/abi.ts";
import { Shim } from "../../ffi/shim.ts";
import { SHIM_SOURCE_DIR } from "../../src/shim/build.ts";
import { runtime } from "../helpers/shim.ts";

const header = readFileSync(join(SHIM_SOURCE_DIR, "include", "shim.h"), "utf8");

test("ABI version and statuses match shim.h", () => {
  assert.equal(Number(/#define SHIM_ABI_VERSION (\d+)/.exec(header)?.[1]), SHIM_ABI_VERSION);
  for (const [name, value] of Object.entries(Status)) {
    assert.match(header, new RegExp(`SHIM_${name} = ${value}\\b`), `status ${name}`);
  }
});

test("every symbol of shim.h is in ffi/abi.ts with the same arity, and no other", () => {
  const protos = [...header.matchAll(/^(?:u?int32_t) (shim_\w+)\(([^)]*)\);/gm)];
  const fromHeader = new Map(protos.map((m) => [m[1], m[2].trim() === "void" ? 0 : m[2].split(",").length]));
  assert.deepEqual([...fromHeader.keys()].sort(), Object.keys(SYMBOLS).sort());
  for (const [name, spec] of Object.entries(SYMBOLS)) assert.equal(spec.params.length, fromHeader.get(name), name);
});

function buildFakeShim(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), "fake-shim-"));
  writeFileSync(join(dir, "fake.c"), source);
  const lib = join(dir, "libfake.so");
  execFileSync("cc", ["-shared", "-fPIC", "-o", lib, join(dir, "fake.c")]);
  return lib;
}

test("a shim missing symbols is refused, naming them", () => {
  const lib = buildFakeShim("#include <stdint.h>\nuint32_t shim_abi_version(void) { return 1; }\n");
  assert.throws(() => Shim.open(runtime.openRawShim, lib), (err: Error) => {
    assert.match(err.message, /lacks symbols .*shim_call\b/);
    assert.match(err.message, /shim_info/);
    return true;
  });
});

test("a shim with another ABI version is refused with got/expected", () => {
  const names = Object.keys(SYMBOLS).filter((n) => n !== "shim_abi_version");
  const lib = buildFakeShim(
    `#include <stdint.h>\nuint32_t shim_abi_version(void) { return 999; }\n` +
      names.map((n) => `int32_t ${n}(void) { return 0; }`).join("\n"),
  );
  assert.throws(() => Shim.open(runtime.openRawShim, lib), /ABI version 999, but this gateway expects 1/);
});
