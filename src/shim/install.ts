// Unpacks a single executable's embedded shim and Go sources into a private,
// per-version directory and checks them against the SHA-256 values recorded at
// build time, on every start: a file that differs (edited, truncated, replaced)
// is rewritten before anything loads or builds against it.
//
//   $XDG_CACHE_HOME/tyk-plugin-gateway/<version>-<key>/libtykshim.so
//                                                    /shim-go/{go.mod,go.sum,tyk/...}
//
// (~/.cache when XDG_CACHE_HOME is unset.) Directories are 0700 and must be
// owned by us; files are replaced by rename, never rewritten in place, because
// another gateway process may have the old library mapped.

import { createHash, randomBytes } from "node:crypto";
import { chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import process from "node:process";
import { ShimLoadError } from "../../ffi/errors.ts";
import type { EmbeddedAssets } from "./embedded.ts";
import { digestDir, parseSourceBundle, writeSourceBundle } from "./source-bundle.ts";

export const SHIM_LIBRARY_FILE = "libtykshim.so";
export const SOURCES_DIR_NAME = "shim-go";
const APP_DIR = "tyk-plugin-gateway";

export interface InstalledShim {
  /** The private per-version directory. */
  dir: string;
  /** The verified shim library, ready to open. */
  library: string;
  /** The verified Go sources (go.mod, go.sum, tyk/), the plugin builder's shim directory. */
  sourceDir: string;
}

const sha256 = (data: Uint8Array | string): string => createHash("sha256").update(data).digest("hex");

/** Where per-version directories live: XDG's cache dir, else ~/.cache, else a per-user temp dir. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, APP_DIR);
  const home = env.HOME || safeHomedir();
  if (home) return join(home, ".cache", APP_DIR);
  return join(tmpdir(), `${APP_DIR}-${process.getuid?.() ?? "user"}`);
}

function safeHomedir(): string | undefined {
  try {
    return homedir() || undefined;
  } catch {
    return undefined;
  }
}

/** `<version>-<key>`: a new shim or new sources get a new directory, so versions never overwrite each other. */
export function installDirName(assets: EmbeddedAssets): string {
  const key = sha256(`${assets.shim.sha256}\n${assets.sources.treeDigest}`).slice(0, 16);
  return `${assets.gatewayVersion.replace(/[^A-Za-z0-9._-]/g, "_")}-${key}`;
}

/** The paths assets are (or will be) installed at; nothing is written. */
export function installPaths(assets: EmbeddedAssets, env: NodeJS.ProcessEnv = process.env): InstalledShim {
  const dir = join(cacheRoot(env), installDirName(assets));
  return { dir, library: join(dir, SHIM_LIBRARY_FILE), sourceDir: join(dir, SOURCES_DIR_NAME) };
}

/** Creates `dir` 0700 if missing; refuses one that is not a real directory of ours, tightens one that is too open. */
function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new ShimLoadError(`refusing to use ${dir} for the embedded shim: it is not a directory (a symlink?)`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new ShimLoadError(`refusing to use ${dir} for the embedded shim: it is owned by uid ${st.uid}, not by this user (${uid})`);
  }
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** SHA-256 of a regular file, or undefined if there is none (missing, a symlink, a directory). */
function fileSha256(path: string): string | undefined {
  try {
    if (!lstatSync(path).isFile()) return undefined;
    return sha256(readFileSync(path));
  } catch {
    return undefined;
  }
}

const tmpName = (path: string): string => `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;

type Outcome = "verified" | "written" | "rewritten";

function installLibrary(assets: EmbeddedAssets, target: string): Outcome {
  const want = assets.shim.sha256;
  const existed = lstatExists(target);
  if (existed && fileSha256(target) === want) return "verified";
  const bytes = readFileSync(assets.shim.file);
  if (sha256(bytes) !== want) {
    throw new ShimLoadError(`the shim embedded in this executable does not match the SHA-256 recorded when it was built: the executable is damaged; rebuild it (npm run build)`);
  }
  const tmp = tmpName(target);
  writeFileSync(tmp, bytes, { mode: 0o500, flag: "wx" });
  renameSync(tmp, target);
  if (fileSha256(target) !== want) throw new ShimLoadError(`wrote the embedded shim to ${target}, but it reads back differently: is the disk full?`);
  return existed ? "rewritten" : "written";
}

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function installSources(assets: EmbeddedAssets, target: string): Outcome {
  const want = assets.sources.treeDigest;
  const existed = lstatExists(target);
  if (existed && digestDir(target) === want) return "verified";
  const text = readFileSync(assets.sources.file, "utf8");
  if (sha256(text) !== assets.sources.sha256) {
    throw new ShimLoadError(`the Go sources embedded in this executable do not match the SHA-256 recorded when it was built: the executable is damaged; rebuild it (npm run build)`);
  }
  const bundle = parseSourceBundle(text);
  if (bundle.treeDigest !== want) throw new ShimLoadError(`the Go sources embedded in this executable are not the ones it was built with: rebuild it (npm run build)`);
  const tmp = tmpName(target);
  writeSourceBundle(bundle, tmp);
  if (existed) {
    // Move the bad copy aside first: rename cannot replace a non-empty directory.
    const old = tmpName(`${target}.old`);
    try {
      renameSync(target, old);
      rmSync(old, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
  try {
    renameSync(tmp, target);
  } catch (err) {
    // Another gateway process installed the same sources meanwhile: keep its copy if it is good.
    rmSync(tmp, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if ((code !== "ENOTEMPTY" && code !== "EEXIST") || digestDir(target) !== want) throw err;
  }
  if (digestDir(target) !== want) throw new ShimLoadError(`unpacked the embedded Go sources to ${target}, but they read back differently`);
  return existed ? "rewritten" : "written";
}

/**
 * Makes sure the executable's shim and Go sources are on disk, private and
 * byte-identical to what was embedded at build time; returns their paths.
 */
export function installEmbedded(assets: EmbeddedAssets, log?: (msg: string) => void): InstalledShim {
  const paths = installPaths(assets);
  const root = cacheRoot();
  // The parent (~/.cache) is the user's: create it if missing, never chmod it.
  mkdirSync(join(root, ".."), { recursive: true, mode: 0o700 });
  ensurePrivateDir(root);
  ensurePrivateDir(paths.dir);
  const lib = installLibrary(assets, paths.library);
  const src = installSources(assets, paths.sourceDir);
  const say = (what: string, outcome: Outcome, path: string) => {
    if (outcome === "written") log?.(`unpacked the embedded ${what} to ${path}`);
    if (outcome === "rewritten") log?.(`the ${what} at ${path} did not match the SHA-256 recorded at build time: rewrote it`);
  };
  say("shim", lib, paths.library);
  say("Go sources", src, paths.sourceDir);
  return paths;
}
