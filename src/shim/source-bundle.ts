// The Go sources a plugin is built against (shim-go/go.mod, go.sum, tyk/ and
// tyk-pump/, Tyk's plugin-facing packages, and tools/, the builder's own),
// packed at build time into one JSON file the executable carries, and
// unpacked and checked at run time. JSON + base64 rather than tar: no
// dependency, and the tree is a few hundred KB.

import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

export const SOURCE_BUNDLE_FORMAT = "tykgw-shim-sources/1";

export interface SourceBundleFile {
  /** Relative, `/`-separated. */
  path: string;
  sha256: string;
  /** base64. */
  data: string;
}

export interface SourceBundle {
  format: typeof SOURCE_BUNDLE_FORMAT;
  /** treeDigest() of the files: what an unpacked copy must hash to. */
  treeDigest: string;
  files: SourceBundleFile[];
}

const sha256 = (data: Uint8Array | string): string => createHash("sha256").update(data).digest("hex");

/**
 * The files of shim-go a plugin build needs: the shim's go.mod/go.sum, the
 * modules plugins import in place of Tyk's (tyk, tyk-pump) and the builder's
 * Go tool (tools), except tests (a plugin compiles the same package sources
 * the shim did, so they must be byte-identical; tests are never compiled).
 */
export function pluginSourceFiles(shimDir: string): string[] {
  const out = ["go.mod", "go.sum"];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== "testdata") walk(p);
      } else if (e.isFile() && !e.name.endsWith("_test.go")) {
        out.push(relative(shimDir, p).split(sep).join("/"));
      }
    }
  };
  for (const dir of ["tyk", "tyk-pump", "tools"]) walk(join(shimDir, dir));
  return out;
}

/** One digest for a set of files: names and contents, order-independent. */
export function treeDigest(files: ReadonlyArray<{ path: string; sha256: string }>): string {
  const lines = files.map((f) => `${f.path}\0${f.sha256}\n`).sort();
  return sha256(lines.join(""));
}

export function packSources(shimDir: string): SourceBundle {
  const files = pluginSourceFiles(shimDir).map((path): SourceBundleFile => {
    const data = readFileSync(join(shimDir, path));
    return { path, sha256: sha256(data), data: data.toString("base64") };
  });
  return { format: SOURCE_BUNDLE_FORMAT, treeDigest: treeDigest(files), files };
}

/** Parses a bundle and checks it is whole: every file's hash, and the tree digest. */
export function parseSourceBundle(text: string): SourceBundle {
  const raw: unknown = JSON.parse(text);
  const b = raw as Partial<SourceBundle>;
  if (!b || b.format !== SOURCE_BUNDLE_FORMAT || !Array.isArray(b.files) || typeof b.treeDigest !== "string") {
    throw new Error(`not a ${SOURCE_BUNDLE_FORMAT} source bundle`);
  }
  for (const f of b.files) {
    if (typeof f.path !== "string" || f.path.startsWith("/") || f.path.split("/").includes("..")) {
      throw new Error(`source bundle holds a bad path: ${JSON.stringify(f.path)}`);
    }
    if (sha256(Buffer.from(f.data, "base64")) !== f.sha256) throw new Error(`source bundle file ${f.path} does not match its hash`);
  }
  if (treeDigest(b.files) !== b.treeDigest) throw new Error("source bundle does not match its tree digest");
  return b as SourceBundle;
}

/** Writes a bundle's files under `dir` (created). Files are read-only: nothing should edit them. */
export function writeSourceBundle(bundle: SourceBundle, dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const f of bundle.files) {
    const target = join(dir, ...f.path.split("/"));
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    writeFileSync(target, Buffer.from(f.data, "base64"), { mode: 0o400, flag: "wx" });
  }
}

/**
 * The tree digest of what is on disk under `dir`: every entry counts, so an
 * added, removed or edited file changes it. Undefined when `dir` is missing
 * or holds anything but plain files and directories (a symlink, say).
 */
export function digestDir(dir: string): string | undefined {
  const files: Array<{ path: string; sha256: string }> = [];
  const walk = (d: string): boolean => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!walk(p)) return false;
      } else if (e.isFile()) {
        files.push({ path: relative(dir, p).split(sep).join("/"), sha256: sha256(readFileSync(p)) });
      } else {
        return false;
      }
    }
    return true;
  };
  try {
    if (!lstatSync(dir).isDirectory()) return undefined;
    return walk(dir) ? treeDigest(files) : undefined;
  } catch {
    return undefined;
  }
}
