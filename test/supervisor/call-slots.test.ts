// Reading a worker's call slots file after it died: what the shim recorded, and nothing but bounded, decoded text
// from a file that a plugin (sharing the worker's memory) may have scribbled over.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readCallSlots } from "../../src/supervisor/call-slots.ts";

const dir = mkdtempSync(join(tmpdir(), "call-slots-"));

/** A file in the shim's layout: the header, then `count` slots of `size` bytes. */
function slotsFile(count: number, size: number, slots: Array<{ state: number; text: string; len?: number }>): string {
  const b = new Uint8Array(16 + count * size);
  const v = new DataView(b.buffer);
  b.set(new TextEncoder().encode("TYKGWCS1"));
  v.setUint32(8, count, true);
  v.setUint32(12, size, true);
  slots.forEach((s, i) => {
    const text = new TextEncoder().encode(s.text);
    v.setUint32(16 + i * size, s.state, true);
    v.setUint32(16 + i * size + 4, s.len ?? text.length, true);
    b.set(text.subarray(0, size - 8), 16 + i * size + 8);
  });
  const path = join(dir, `f${Math.random()}`);
  writeFileSync(path, b);
  return path;
}

test("call slots: the slots marked as in a call, in order", () => {
  const path = slotsFile(4, 64, [
    { state: 1, text: "/p/a.so:Pre" },
    { state: 0, text: "/p/b.so:Done" },
    { state: 1, text: "/p/c.so (init)" },
  ]);
  assert.deepEqual(readCallSlots(path), ["/p/a.so:Pre", "/p/c.so (init)"]);
});

test("call slots: a missing file, another file, or a lying header read as no calls", () => {
  assert.deepEqual(readCallSlots(join(dir, "missing")), []);
  const other = join(dir, "other");
  writeFileSync(other, "not a call slots file at all");
  assert.deepEqual(readCallSlots(other), []);
  // More slots claimed than the file holds: only those present are read.
  const path = slotsFile(2, 32, [{ state: 1, text: "/p/a.so:A" }, { state: 1, text: "/p/b.so:B" }]);
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, 1 << 30, true);
  const b = new Uint8Array(readFileSync(path));
  b.set(new Uint8Array(v.buffer), 8);
  writeFileSync(path, b);
  assert.deepEqual(readCallSlots(path), ["/p/a.so:A", "/p/b.so:B"]);
  // A slot size too small to hold its own header.
  assert.deepEqual(readCallSlots(slotsFile(2, 4, [])), []);
});

test("call slots: a text length past its slot is cut at the slot's end, bad UTF-8 replaced", () => {
  const path = slotsFile(1, 24, [{ state: 1, text: "/p/a-long-name.so:Symbol", len: 0xffffffff }]);
  assert.deepEqual(readCallSlots(path), ["/p/a-long-name.s"]);
  const bad = slotsFile(1, 24, [{ state: 1, text: "\u00ff" }]);
  const b = new Uint8Array(readFileSync(bad));
  b[24] = 0xff; // a lone byte that is not UTF-8
  writeFileSync(bad, b);
  assert.deepEqual(readCallSlots(bad), ["\ufffd\ufffd"]);
});
