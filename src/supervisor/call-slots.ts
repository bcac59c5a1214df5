// The call slots file a worker's shim keeps (shim-go/callslots.go; layout in shim.h): which plugin call each of its
// Go workers is in. Read after the worker died, it names the calls it died in: a plugin that calls os.Exit or the
// standard library's log.Fatal leaves no other trace.
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/** The environment variable that names the file to the shim. */
export const CALL_SLOTS_ENV = "TYKGW_CALL_SLOTS";

const MAGIC = "TYKGWCS1";
const HEAD = 16;
/** The shim's layout (shim-go/callslots.go): only a file of exactly this shape is read. */
const SLOTS = 64;
const SLOT_SIZE = 512;
const FILE_SIZE = HEAD + SLOTS * SLOT_SIZE;

/**
 * The calls in progress recorded in the file at `path`, each as "<plugin path>:<symbol>" (or "<plugin path> (init)"
 * for a plugin's init), in slot order; [] when the file is missing or is not a call slots file of the shim's shape.
 * A plugin shares the worker's memory and may have replaced or scribbled over the file: it is opened without
 * following a link or waiting on a FIFO, read only when it is a regular file of the exact size and header the shim
 * writes, and each text is cut to its slot and decoded as UTF-8 with bad bytes replaced.
 */
export function readCallSlots(path: string): string[] {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return [];
  }
  const b = new Uint8Array(FILE_SIZE);
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size !== FILE_SIZE) return [];
    for (let n = 0, got = 1; n < FILE_SIZE && got > 0; n += got) got = readSync(fd, b, n, FILE_SIZE - n, n);
  } catch {
    return [];
  } finally {
    closeSync(fd);
  }
  const view = new DataView(b.buffer);
  if (new TextDecoder().decode(b.subarray(0, 8)) !== MAGIC) return [];
  if (view.getUint32(8, true) !== SLOTS || view.getUint32(12, true) !== SLOT_SIZE) return [];
  const text = new TextDecoder();
  const calls: string[] = [];
  for (let i = 0; i < SLOTS; i++) {
    const off = HEAD + i * SLOT_SIZE;
    if (view.getUint32(off, true) !== 1) continue;
    const len = Math.min(view.getUint32(off + 4, true), SLOT_SIZE - 8);
    calls.push(text.decode(b.subarray(off + 8, off + 8 + len)));
  }
  return calls;
}
