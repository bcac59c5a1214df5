// Finds or builds the Go shim. The build is keyed by a hash of the shim's
// sources and the Go toolchain, so a changed source or toolchain rebuilds it
// and an unchanged one is reused from build/shim/<key>/. (A single executable
// brings its shim prebuilt instead: embedded.ts, install.ts, open.ts.)

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { embeddedAssets } from "./embedded.ts";
import { installPaths, SHIM_LIBRARY_FILE } from "./install.ts";

// Read once, at load: a single executable registers its assets before this module loads.
const EMBEDDED = embeddedAssets();

export const REPO_ROOT = resolve(import.meta.dirname!, "../..");
/**
 * The shim's Go sources: what plugins are built against. From a checkout,
 * the repository's shim-go/; in a single executable, the sources unpacked from
 * it (go.mod, go.sum, tyk/; present and verified once openShim has run).
 */
export const SHIM_SOURCE_DIR = EMBEDDED ? installPaths(EMBEDDED).sourceDir : join(REPO_ROOT, "shim-go");
export const SHIM_LIBRARY_NAME = SHIM_LIBRARY_FILE;

/**
 * Environment for every Go build of the shim and of plugins: the same flags
 * on both sides, whatever the user's own GOFLAGS say.
 */
export function goEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, CGO_ENABLED: "1", GOFLAGS: "-buildvcs=false", ...extra };
}

export function goVersion(): string {
  try {
    return execFileSync("go", ["env", "GOVERSION"], { env: goEnv(), encoding: "utf8" }).trim();
  } catch (err) {
    throw new Error(`the Go toolchain is needed but \`go\` could not be run: ${(err as Error).message}`);
  }
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(go|c|h|mod|sum)$/.test(entry.name) && !entry.name.endsWith("_test.go")) out.push(path);
  }
  return out.sort();
}

/** A key for the shim's sources plus toolchain: equal keys mean equal builds. */
export function shimSourceKey(srcDir = SHIM_SOURCE_DIR): string {
  const h = createHash("sha256");
  h.update(goVersion());
  for (const file of sourceFiles(srcDir)) {
    h.update(relative(srcDir, file));
    h.update(readFileSync(file));
  }
  return h.digest("hex").slice(0, 16);
}

/** Returns the path of a shim built from the current sources, building it if needed. */
export function ensureShim(options: { srcDir?: string; outDir?: string; log?: (msg: string) => void } = {}): string {
  if (EMBEDDED && !options.srcDir) {
    // The executable carries only the sources plugins need, not the shim's own: it cannot rebuild itself.
    throw new Error("this executable carries its shim prebuilt; ensureShim builds from a repository checkout");
  }
  const srcDir = options.srcDir ?? SHIM_SOURCE_DIR;
  const outDir = join(options.outDir ?? join(REPO_ROOT, "build", "shim"), shimSourceKey(srcDir));
  const lib = join(outDir, SHIM_LIBRARY_NAME);
  if (existsSync(lib) && statSync(lib).size > 0) return lib;
  mkdirSync(outDir, { recursive: true });
  options.log?.(`building the Go shim into ${lib}`);
  const tmp = `${lib}.tmp-${process.pid}`;
  execFileSync("go", ["build", "-buildmode=c-shared", "-trimpath", "-o", tmp, "."], {
    cwd: srcDir,
    env: goEnv(),
    stdio: ["ignore", "inherit", "inherit"],
  });
  renameSync(tmp, lib);
  return lib;
}
