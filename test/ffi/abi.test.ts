// The TypeScript mirror (ffi/abi.ts) and the C header agree, and a shim that
// lacks a symbol or has another ABI version is refused with a clear error.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Kind, type ParamKind, type ResultKind, SHIM_ABI_VERSION, Status, SYMBOLS } from "../../ffi/abi.ts";
import { Shim } from "../../ffi/shim.ts";
import { HOOK, IN, OUT } from "../../ffi/wire.ts";
import { SHIM_SOURCE_DIR } from "../../src/shim/build.ts";
import { runtime } from "../helpers/shim.ts";

const header = readFileSync(join(SHIM_SOURCE_DIR, "include", "shim.h"), "utf8");
// The header without its comments, so that prose cannot look like a declaration.
const code = header.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");

test("ABI version, statuses and hook kinds match shim.h", () => {
  assert.equal(Number(/#define SHIM_ABI_VERSION (\d+)/.exec(code)?.[1]), SHIM_ABI_VERSION);
  const statuses = Object.fromEntries([...code.matchAll(/\bSHIM_((?:OK|PENDING|E_\w+)) = (\d+)/g)].map((m) => [m[1], Number(m[2])]));
  assert.deepEqual(statuses, { ...Status }, "the same statuses, with the same values, and no other");
  const kinds = Object.fromEntries([...code.matchAll(/\bSHIM_KIND_(\w+) = (\d+)/g)].map((m) => [m[1], Number(m[2])]));
  assert.deepEqual(kinds, { ...Kind });
});

test("frame flags of ffi/wire.ts match shim-go/wire.go (in*, hook*, out*), and no other", () => {
  const wireGo = readFileSync(join(SHIM_SOURCE_DIR, "wire.go"), "utf8");
  // inWantSession -> WANT_SESSION, outRWHeaders -> RW_HEADERS, outURL -> URL.
  const snake = (camel: string) => camel.replace(/([a-z])([A-Z])|([A-Z])([A-Z][a-z])/g, "$1$3_$2$4").toUpperCase();
  const flags = (prefix: string) =>
    Object.fromEntries([...wireGo.matchAll(new RegExp(`^\\s*${prefix}([A-Z]\\w*)\\s*=\\s*1 << (\\d+)`, "gm"))].map((m) => [snake(m[1]), 1 << Number(m[2])]));
  assert.deepEqual(flags("in"), { ...IN });
  assert.deepEqual(flags("hook"), { ...HOOK });
  assert.deepEqual(flags("out"), { ...OUT });
});

/** A C parameter as ffi/abi.ts describes it. */
function paramKind(decl: string): ParamKind {
  if (decl.includes("*")) return "ptr";
  if (/^shim_on_complete\b/.test(decl)) return "fn";
  if (/^uint32_t\b/.test(decl)) return "u32";
  throw new Error(`unexpected parameter ${decl}`);
}

const resultKind = (t: string): ResultKind => (t === "uint32_t" ? "u32" : "i32");

test("every symbol of shim.h is in ffi/abi.ts with the same arity, parameter kinds and result, and no other", () => {
  const protos = [...code.matchAll(/^(u?int32_t)\s+(shim_\w+)\s*\(([^)]*)\)\s*;/gm)];
  assert.ok(protos.length >= 10, `found the prototypes (${protos.length})`);
  const fromHeader = new Map(protos.map(([, result, name, params]) => {
    const list = params.trim() === "void" ? [] : params.split(",").map((p) => p.replace(/\s+/g, " ").trim());
    return [name, { params: list.map(paramKind), result: resultKind(result) }];
  }));
  assert.deepEqual([...fromHeader.keys()].sort(), Object.keys(SYMBOLS).sort());
  for (const [name, spec] of Object.entries(SYMBOLS)) {
    const h = fromHeader.get(name)!;
    assert.equal(spec.params.length, h.params.length, `${name}: arity`);
    assert.deepEqual([...spec.params], h.params, `${name}: parameter kinds`);
    assert.equal(spec.result, h.result, `${name}: result`);
  }
});

function buildFakeShim(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), "fake-shim-"));
  writeFileSync(join(dir, "fake.c"), source);
  const lib = join(dir, "libfake.so");
  execFileSync("cc", ["-shared", "-fPIC", "-o", lib, join(dir, "fake.c")]);
  return lib;
}

test("a shim missing symbols is refused, naming them", () => {
  const lib = buildFakeShim("#include <stdint.h>\nuint32_t shim_abi_version(void) { return 2; }\n");
  assert.throws(() => Shim.open(runtime.openRawShim, lib), (err: Error) => {
    assert.match(err.message, /lacks symbols .*\bshim_request_run\b/);
    assert.match(err.message, /\bshim_info\b/);
    assert.match(err.message, /rebuild/);
    return true;
  });
});

test("a shim with another ABI version is refused with got/expected", () => {
  const names = Object.keys(SYMBOLS).filter((n) => n !== "shim_abi_version");
  const lib = buildFakeShim(
    `#include <stdint.h>\nuint32_t shim_abi_version(void) { return 999; }\n` +
      names.map((n) => `int32_t ${n}(void) { return 0; }`).join("\n"),
  );
  assert.throws(
    () => Shim.open(runtime.openRawShim, lib),
    new RegExp(`ABI version 999, but this gateway expects ${SHIM_ABI_VERSION}: rebuild`),
  );
});
