// Reading a bundle's zip in memory and refusing hostile archives before a byte reaches the disk: paths that would
// leave the bundle's directory, links and special files, encrypted or ZIP64 archives, more entries or bytes than
// allowed (checked against the sizes the archive declares before inflating, and against the bytes really inflated
// while inflating), and files the manifest does not cover. The central directory is read here (as Go's archive/zip,
// which Tyk uses, does); fflate does the inflating, fed in small pieces so a lying header costs little memory.
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, posix, sep } from "node:path";
import { Inflate } from "fflate";
import { ConfigError } from "../config/validate.ts";
import { bundlePath, canonicalPath, MANIFEST_FILE, type ParsedManifest, parseManifestText } from "./manifest.ts";

/** A bundle's archive that cannot be used; the message says which entry and why. */
export class ArchiveError extends Error {
  override readonly name = "ArchiveError";
}

export interface ArchiveLimits {
  /** Total unpacked bytes. */
  maxBytes: number;
  /** Entries, directories included. */
  maxEntries: number;
}

export interface ZipContents {
  /** Canonical path ("lib/x.so") to contents. */
  files: Map<string, Uint8Array>;
  /** Canonical paths of directory entries. */
  dirs: Set<string>;
}

const SIG_EOCD = 0x06054b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
/** Compressed bytes fed to the inflater at a time: at most ~1000x that is produced before the size checks run. */
const INFLATE_STEP = 4096;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function findEndOfCentralDirectory(view: DataView): number {
  const min = Math.max(0, view.byteLength - 22 - 0xffff); // the record is 22 bytes plus a comment of up to 64 KiB
  for (let i = view.byteLength - 22; i >= min; i--) {
    if (view.getUint32(i, true) === SIG_EOCD) return i;
  }
  throw new ArchiveError("not a zip archive (no end of central directory record)");
}

function inflate(comp: Uint8Array, declared: number, name: string): Uint8Array {
  const out = new Uint8Array(declared);
  let n = 0;
  const inflater = new Inflate((chunk) => {
    if (n + chunk.length > declared) {
      throw new ArchiveError(`${name}: inflates to more than the ${declared} bytes the archive declares (zip bomb?)`);
    }
    out.set(chunk, n);
    n += chunk.length;
  });
  try {
    if (comp.length === 0) inflater.push(comp, true);
    for (let i = 0; i < comp.length; i += INFLATE_STEP) {
      inflater.push(comp.subarray(i, i + INFLATE_STEP), i + INFLATE_STEP >= comp.length);
    }
  } catch (err) {
    if (err instanceof ArchiveError) throw err;
    throw new ArchiveError(`${name}: damaged compressed data (${(err as Error).message})`);
  }
  if (n !== declared) throw new ArchiveError(`${name}: inflates to ${n} bytes, but the archive declares ${declared}`);
  return out;
}

/** Reads every entry of a zip archive in memory, refusing anything that could be hostile. Throws ArchiveError. */
export function readZip(data: Uint8Array, limits: ArchiveLimits): ZipContents {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 22) throw new ArchiveError("not a zip archive (too short)");
  const eocd = findEndOfCentralDirectory(view);
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (view.getUint16(eocd + 4, true) !== 0 || view.getUint16(eocd + 6, true) !== 0) {
    throw new ArchiveError("multi-part zip archives are not supported");
  }
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw new ArchiveError("ZIP64 archives are not supported (a bundle this large is over any sensible limit)");
  }
  if (count > limits.maxEntries) {
    throw new ArchiveError(`the archive has ${count} entries, over the limit of ${limits.maxEntries}`);
  }
  if (cdOffset + cdSize > eocd) throw new ArchiveError("damaged archive (central directory out of bounds)");

  interface Entry {
    name: string;
    path: string;
    dir: boolean;
    method: number;
    crc: number;
    csize: number;
    usize: number;
    local: number;
  }
  const entries: Entry[] = [];
  const seen = new Set<string>();
  const names = new TextDecoder("utf-8");
  let p = cdOffset;
  let declaredTotal = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== SIG_CENTRAL) {
      throw new ArchiveError("damaged archive (bad central directory entry)");
    }
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    const csize = view.getUint32(p + 20, true);
    const usize = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const mode = view.getUint32(p + 38, true) >>> 16;
    const local = view.getUint32(p + 42, true);
    const name = names.decode(data.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;

    const shown = JSON.stringify(name);
    const dir = name.endsWith("/");
    const safe = bundlePath(dir ? name.slice(0, -1) : name);
    if ("reason" in safe) throw new ArchiveError(`entry ${shown} ${safe.reason}`);
    const type = mode & S_IFMT;
    if (type === S_IFLNK) throw new ArchiveError(`entry ${shown} is a symbolic link; bundles may only hold files`);
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
      throw new ArchiveError(`entry ${shown} is a special file (device, FIFO or socket); bundles may only hold files`);
    }
    if (flags & 0x41) throw new ArchiveError(`entry ${shown} is encrypted`);
    if (csize === 0xffffffff || usize === 0xffffffff) throw new ArchiveError(`entry ${shown} is ZIP64, not supported`);
    if (method !== 0 && method !== 8) {
      throw new ArchiveError(
        `entry ${shown} uses compression method ${method} (only stored and deflate are supported)`,
      );
    }
    if (dir && usize !== 0) throw new ArchiveError(`directory entry ${shown} has contents`);
    if (seen.has(safe.path)) throw new ArchiveError(`${JSON.stringify(safe.path)} is in the archive more than once`);
    seen.add(safe.path);
    declaredTotal += usize;
    if (declaredTotal > limits.maxBytes) {
      throw new ArchiveError(`the archive unpacks to more than the limit of ${limits.maxBytes} bytes (zip bomb?)`);
    }
    entries.push({ name, path: safe.path, dir, method, crc, csize, usize, local });
  }

  const filePaths = new Set(entries.filter((e) => !e.dir).map((e) => e.path));
  const contents: ZipContents = { files: new Map(), dirs: new Set() };
  for (const e of entries) {
    const shown = JSON.stringify(e.name);
    for (let d = posix.dirname(e.path); d !== "."; d = posix.dirname(d)) {
      if (filePaths.has(d)) throw new ArchiveError(`entry ${shown} is inside ${JSON.stringify(d)}, which is a file`);
    }
    if (e.dir) {
      contents.dirs.add(e.path);
      continue;
    }
    if (e.local + 30 > cdOffset || view.getUint32(e.local, true) !== SIG_LOCAL) {
      throw new ArchiveError(`entry ${shown}: damaged archive (bad local header)`);
    }
    const start = e.local + 30 + view.getUint16(e.local + 26, true) + view.getUint16(e.local + 28, true);
    if (start + e.csize > cdOffset) throw new ArchiveError(`entry ${shown}: damaged archive (data out of bounds)`);
    const comp = data.subarray(start, start + e.csize);
    let body: Uint8Array;
    if (e.method === 0) {
      if (e.csize !== e.usize) throw new ArchiveError(`entry ${shown}: stored size ${e.csize} differs from ${e.usize}`);
      body = comp.slice();
    } else body = inflate(comp, e.usize, shown);
    if (crc32(body) !== e.crc) throw new ArchiveError(`entry ${shown}: CRC mismatch (damaged archive)`);
    contents.files.set(e.path, body);
  }
  return contents;
}

export interface OpenedBundle extends ParsedManifest {
  contents: ZipContents;
  /** The file_list files' contents, in file_list order: what the checksum and signature cover. */
  parts: Uint8Array[];
}

/**
 * Reads a bundle archive and its manifest.json, refusing a manifest that names files the archive lacks and files the
 * manifest does not list (nothing would check them: the checksum and signature cover file_list only). `label` is
 * how messages name the bundle; manifest problems throw ConfigError naming `<label>/manifest.json`.
 */
export function openBundle(data: Uint8Array, limits: ArchiveLimits, label: string): OpenedBundle {
  const contents = readZip(data, limits);
  const manifestBytes = contents.files.get(MANIFEST_FILE);
  if (!manifestBytes) throw new ArchiveError(`there is no ${MANIFEST_FILE} at the top of the archive`);
  const file = `${label}/${MANIFEST_FILE}`;
  const parsed = parseManifestText(new TextDecoder().decode(manifestBytes), file);
  const listed = new Set<string>();
  const parts = parsed.manifest.file_list.map((name, i) => {
    const path = canonicalPath(name);
    const body = contents.files.get(path);
    if (!body) throw ConfigError.of(file, `file_list[${i}]`, `${JSON.stringify(name)} is not in the archive`);
    listed.add(path);
    return body;
  });
  for (const path of contents.files.keys()) {
    if (path !== MANIFEST_FILE && !listed.has(path)) {
      throw new ArchiveError(
        `${JSON.stringify(path)} is in the archive but not in manifest.json's file_list, so neither the checksum nor ` +
          "the signature covers it: list it and rebuild the bundle, or leave it out",
      );
    }
  }
  return { ...parsed, contents, parts };
}

/**
 * Writes `contents` into a new directory beside `target` and renames it to `target` in one step, so no one ever
 * sees a half-written bundle there. Returns "exists" (writing nothing) when `target` is already there.
 */
export async function extractAtomically(contents: ZipContents, target: string): Promise<"installed" | "exists"> {
  const parent = dirname(target);
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const tmp = join(parent, `.tmp-${basename(target)}-${randomBytes(6).toString("hex")}`);
  await mkdir(tmp, { mode: 0o700 });
  let installed = false;
  try {
    const inside = (p: string) => {
      const abs = join(tmp, p);
      // bundlePath() already refused anything that could escape; this keeps it so if that ever changes.
      if (!abs.startsWith(tmp + sep)) {
        throw new ArchiveError(`entry ${JSON.stringify(p)} would land outside the bundle`);
      }
      return abs;
    };
    for (const d of [...contents.dirs].sort()) await mkdir(inside(d), { recursive: true, mode: 0o700 });
    for (const [p, body] of contents.files) {
      const abs = inside(p);
      await mkdir(dirname(abs), { recursive: true, mode: 0o700 });
      await writeFile(abs, body, { flag: "wx" });
    }
    try {
      await rename(tmp, target);
      installed = true;
      return "installed";
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "ENOTEMPTY" || code === "EEXIST" || code === "ENOTDIR") return "exists";
      throw err;
    }
  } finally {
    if (!installed) await rm(tmp, { recursive: true, force: true });
  }
}

/** Removes `target` by first renaming it aside, so no one sees it half-deleted. Gone already is fine. */
export async function discardDir(target: string): Promise<void> {
  const aside = join(dirname(target), `.old-${basename(target)}-${randomBytes(6).toString("hex")}`);
  try {
    await rename(target, aside);
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") return;
    throw err;
  }
  await rm(aside, { recursive: true, force: true });
}
