// The call slots file a worker's shim keeps (shim-go/callslots.go; layout in shim.h): which plugin call each of its
// Go workers is in. Read after the worker died, it names the calls it died in: a plugin that calls os.Exit or the
// standard library's log.Fatal leaves no other trace.
import { readFileSync } from "node:fs";

/** The environment variable that names the file to the shim. */
export const CALL_SLOTS_ENV = "TYKGW_CALL_SLOTS";

const MAGIC = "TYKGWCS1";
const HEAD = 16;
/** Bounds on what a file may claim: a plugin shares the worker's memory and could have written anything there. */
const MAX_SLOTS = 4096;
const MAX_SLOT_SIZE = 64 * 1024;

/**
 * The calls in progress recorded in the file at `path`, each as "<plugin path>:<symbol>" (or "<plugin path> (init)"
 * for a plugin's init), in slot order; [] when the file is missing, not a call slots file, or records none. Text is
 * decoded as UTF-8 with bad bytes replaced; a slot whose length overruns it is cut at its end.
 */
export function readCallSlots(path: string): string[] {
  let b: Uint8Array;
  try {
    b = readFileSync(path);
  } catch {
    return [];
  }
  if (b.length < HEAD || new TextDecoder().decode(b.subarray(0, 8)) !== MAGIC) return [];
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const count = Math.min(view.getUint32(8, true), MAX_SLOTS);
  const size = view.getUint32(12, true);
  if (size < 8 || size > MAX_SLOT_SIZE) return [];
  const text = new TextDecoder();
  const calls: string[] = [];
  for (let i = 0; i < count; i++) {
    const off = HEAD + i * size;
    if (off + size > b.length) break;
    if (view.getUint32(off, true) !== 1) continue;
    const len = Math.min(view.getUint32(off + 4, true), size - 8);
    calls.push(text.decode(b.subarray(off + 8, off + 8 + len)));
  }
  return calls;
}
