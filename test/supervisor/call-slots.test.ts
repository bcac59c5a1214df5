// Reading a worker's call slots file after it died: what the shim recorded, and nothing but bounded, decoded text
// from a file that a plugin (sharing the worker's memory) may have scribbled over or replaced.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readCallSlots } from "../../src/supervisor/call-slots.ts";

const dir = mkdtempSync(join(tmpdir(), "call-slots-"));
let files = 0;

/** A file in the shim's layout (64 slots of 512 bytes after a 16-byte header), with `header` overriding its numbers. */
function slotsFile(
  slots: Array<{ state: number; text: string | Uint8Array; len?: number }>,
  header: { count?: number; size?: number; bytes?: number } = {},
): string {
  const b = new Uint8Array(header.bytes ?? 16 + 64 * 512);
  const v = new DataView(b.buffer);
  b.set(new TextEncoder().encode("TYKGWCS1"));
  v.setUint32(8, header.count ?? 64, true);
  v.setUint32(12, header.size ?? 512, true);
  slots.forEach((s, i) => {
    const text = typeof s.text === "string" ? new TextEncoder().encode(s.text) : s.text;
    v.setUint32(16 + i * 512, s.state, true);
    v.setUint32(16 + i * 512 + 4, s.len ?? text.length, true);
    b.set(text.subarray(0, 504), 16 + i * 512 + 8);
  });
  const path = join(dir, `f${files++}`);
  writeFileSync(path, b);
  return path;
}

test("call slots: the slots marked as in a call, in order", () => {
  const path = slotsFile([{ state: 1, text: "/p/a.so:Pre" }, { state: 0, text: "/p/b.so:Done" }, { state: 1, text: "/p/c.so (init)" }]);
  assert.deepEqual(readCallSlots(path), ["/p/a.so:Pre", "/p/c.so (init)"]);
});

test("call slots: a missing file, another file, or one not of the shim's shape reads as no calls", () => {
  const calls = [{ state: 1, text: "/p/a.so:A" }];
  assert.deepEqual(readCallSlots(join(dir, "missing")), []);
  const other = join(dir, "other");
  writeFileSync(other, "not a call slots file at all");
  assert.deepEqual(readCallSlots(other), []);
  assert.deepEqual(readCallSlots(slotsFile(calls, { count: 1 << 30 })), [], "a count the shim never writes");
  assert.deepEqual(readCallSlots(slotsFile(calls, { size: 65536 })), [], "a slot size the shim never writes");
  assert.deepEqual(readCallSlots(slotsFile(calls, { bytes: 2 * (16 + 64 * 512) })), [], "a file grown past the layout");
});

test("call slots: a FIFO or a link put in the file's place is not waited on or followed", () => {
  const fifo = join(dir, "fifo");
  execFileSync("mkfifo", [fifo]);
  assert.deepEqual(readCallSlots(fifo), []);
  const link = join(dir, "link");
  symlinkSync(slotsFile([{ state: 1, text: "/p/a.so:A" }]), link);
  assert.deepEqual(readCallSlots(link), []);
});

test("call slots: a text length past its slot is cut at the slot's end, bad UTF-8 replaced", () => {
  const long = "/p/".padEnd(600, "x");
  assert.deepEqual(readCallSlots(slotsFile([{ state: 1, text: long, len: 0xffffffff }])), [long.slice(0, 504)]);
  assert.deepEqual(readCallSlots(slotsFile([{ state: 1, text: new Uint8Array([0xff, 0x41]) }])), ["\ufffdA"]);
});
