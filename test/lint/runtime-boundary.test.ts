// Runtime-specific code lives only in ffi/ and src/runtime/: everything else
// must run unchanged on Deno and Bun. Comments may name the runtimes.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../../src/shim/build.ts";

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []
  );
}

const ALLOWED = ["src/runtime/deno.ts", "src/runtime/bun.ts"];

test("no Deno or Bun API outside ffi/ and src/runtime/", () => {
  const offenders: string[] = [];
  for (const file of tsFiles(join(REPO_ROOT, "src"))) {
    const rel = relative(REPO_ROOT, file);
    if (ALLOWED.includes(rel)) continue;
    const code = readFileSync(file, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .split("\n")
      .map((l) => l.replace(/\/\/.*$/, ""));
    code.forEach((line, i) => {
      if (/\b(Deno|Bun)\.[a-zA-Z]|["']bun:ffi["']|globalThis\)?\.(Deno|Bun)\b/.test(line)) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});
