// `gateway plugin build`: our answer to Tyk's plugin compiler. It builds a
// plugin directory against this gateway's shim: the same Go toolchain and
// flags, Tyk's packages resolved to the shim's own copies (shim-go/tyk,
// shim-go/tyk-pump), and every module the shim contains pinned to the shim's
// version. The plugin's files are never edited: the build runs on a copy
// whose module path is made unique, so every build has its own identity and
// can be loaded beside older builds of the same plugin (Go refuses two
// plugins with one module path). In the copy only the import specs naming
// the plugin's own module change (shim-go/tools/pluginsrc, Go's parser):
// string literals, struct tags, comments and //go:embed patterns stay.

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { goEnv, goVersion } from "../shim/build.ts";
import { findGoWork, type GoModJson, type GoWorkJson, moduleOf, planLayout, VENDOR_NOTE } from "./layout.ts";
import { PROVIDED_MODULES, unprovidedImports } from "./provided.ts";

/** A module the shim was built with (from shim_info): plugins must build with the same version. */
export interface ShimModule {
  path: string;
  version: string;
  replace?: string;
}

/** What `buildPlugin` builds, against what, and where it says what it does. */
export interface BuildOptions {
  /** Directory holding the plugin's `package main` (with or without go.mod). */
  pluginDir: string;
  /** Output file; default `<pluginDir>/<dir>_v<version>_<os>_<arch>.so`. */
  output?: string;
  /** The shim's source directory (holds `tyk/`, Tyk's packages). */
  shimDir: string;
  /** The Go version and modules the shim was built with (from shim_info). */
  shimGo: string;
  shimDeps: ShimModule[];
  gatewayVersion: string;
  /** Progress lines, and `note: ...` lines for what of the plugin's layout the build did not use. */
  log?: (msg: string) => void;
}

/** A build that cannot go on; the message says why, for the user. */
export class PluginBuildError extends Error {
  override name = "PluginBuildError";
}

/** GOARCH for this process's architecture. */
export const goArch = (): string => ({ x64: "amd64", arm64: "arm64", ia32: "386" } as Record<string, string>)[process.arch] ?? process.arch;

/** `<dir>_v<gateway-version>_<os>_<arch>.so`: the versioned name Tyk's loader looks for. */
export function defaultPluginFileName(pluginDir: string, gatewayVersion: string): string {
  return `${basename(resolve(pluginDir))}_v${gatewayVersion}_${process.platform}_${goArch()}.so`;
}

// Async so that a test run can build several plugins at once. GOWORK=off: a
// go.work the user has (or $GOWORK) is read by planLayout, never by Go,
// since it would bring Tyk's own sources back into the build.
function go(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("go", args, { cwd, env: goEnv({ GOWORK: "off" }), encoding: "utf8", maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new PluginBuildError(`go ${args.join(" ")} failed:\n${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
  });
}

/**
 * Runs shim-go/tools' pluginsrc on the copy: points imports of the plugin's
 * own module at its new path (found with Go's parser, so nothing but import
 * specs changes) and returns every import path with the files importing it.
 */
async function prepareSources(shimDir: string, work: string, from?: string, to?: string): Promise<Record<string, string[]>> {
  const args = ["run", "./pluginsrc", ...(from && to ? ["-from", from, "-to", to] : []), work];
  const out = JSON.parse(await go(args, join(shimDir, "tools"))) as { imports: Record<string, string[]> };
  return out.imports;
}

interface ListedModule {
  Path: string;
  Version?: string;
  Main?: boolean;
  Replace?: { Path: string; Version?: string };
}

async function listModules(dir: string): Promise<ListedModule[]> {
  const raw = await go(["list", "-m", "-json", "all"], dir);
  // `go list -json` prints concatenated objects, not an array.
  return JSON.parse(`[${raw.replace(/\}\s*\{/g, "},{")}]`);
}

/** Modules the plugin would build with at another version than the shim's. */
export function versionConflicts(modules: ListedModule[], shimDeps: ShimModule[]): string[] {
  const shim = new Map(shimDeps.map((d) => [d.path, d]));
  const problems: string[] = [];
  for (const m of modules) {
    const want = shim.get(m.Path);
    if (!want || m.Main || PROVIDED_MODULES.some((p) => p.path === m.Path)) continue;
    if (m.Version !== want.version) {
      problems.push(
        `module ${m.Path} resolves to ${m.Version} in your plugin, but the gateway is built with ${want.version}: pin it with \`go get ${m.Path}@${want.version}\` (and check that what needs the newer one can use it)`,
      );
    }
  }
  return problems;
}

/**
 * Builds the plugin in `opts.pluginDir` into a `.so` this gateway loads and
 * returns its path and the module path it was built as. Works on a copy
 * (the plugin's files are never written): tests and vendor/ are left out,
 * imports of the plugin's own module are pointed at a new, unique module
 * path, Tyk's modules resolve to the shim's copies, go.mod/go.work layouts
 * from Tyk's docs are adapted (planLayout; each thing not used is logged).
 * Throws PluginBuildError, before anything is downloaded, when the toolchain
 * differs from the shim's or the plugin imports a Tyk package we do not
 * provide; and before compiling when a module shared with the gateway would
 * resolve to another version.
 */
export async function buildPlugin(opts: BuildOptions): Promise<{ output: string; module: string }> {
  const pluginDir = resolve(opts.pluginDir);
  if (!existsSync(pluginDir) || !statSync(pluginDir).isDirectory()) {
    throw new PluginBuildError(`plugin directory ${pluginDir} does not exist`);
  }
  if (!readdirSync(pluginDir).some((f) => f.endsWith(".go"))) {
    throw new PluginBuildError(`plugin directory ${pluginDir} has no .go files`);
  }
  let toolchain: string;
  try {
    toolchain = goVersion();
  } catch (err) {
    // No Go on PATH (a host that only got the single executable): a one-line answer, not a stack trace.
    throw new PluginBuildError(`${(err as Error).message}; plugins for this gateway are built with ${opts.shimGo}: install it and put \`go\` on PATH`);
  }
  if (toolchain !== opts.shimGo) {
    throw new PluginBuildError(
      `\`go\` on PATH is ${toolchain} but the gateway's shim was built with ${opts.shimGo}; plugins must be built with the same toolchain (install ${opts.shimGo}, or set GOTOOLCHAIN=${opts.shimGo})`,
    );
  }
  const output = resolve(opts.output ?? join(pluginDir, defaultPluginFileName(pluginDir, opts.gatewayVersion)));
  const work = mkdtempSync(join(tmpdir(), "tykgw-plugin-"));
  const note = (msg: string) => opts.log?.(`note: ${msg}`);
  try {
    // Tests are never part of a plugin (and go mod tidy would resolve their
    // imports, Tyk's test harness among them); go.work is read, not copied.
    cpSync(pluginDir, work, {
      recursive: true,
      filter: (src) => !/[/\\](vendor|\.git|go\.work|go\.work\.sum)$/.test(src) && !src.endsWith(".so") && !src.endsWith("_test.go"),
    });
    if (existsSync(join(pluginDir, "vendor"))) note(VENDOR_NOTE);
    const buildId = `${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
    const safeName = basename(pluginDir).replace(/[^A-Za-z0-9._-]/g, "_") || "plugin";
    const newModule = `tykgw.plugin/${safeName}/b${buildId}`;
    const oldModule = moduleOf(work);

    const imports = await prepareSources(opts.shimDir, work, oldModule, newModule);
    const missing = unprovidedImports(imports, opts.shimDir);
    if (missing.length > 0) {
      throw new PluginBuildError(`plugin ${pluginDir} imports what this gateway cannot give it:\n- ${missing.join("\n- ")}`);
    }

    let goMod: GoModJson | undefined;
    if (oldModule) goMod = JSON.parse(await go(["mod", "edit", "-json"], work)) as GoModJson;
    else await go(["mod", "init", newModule], work);
    const goWorkFile = findGoWork(pluginDir);
    const goWork = goWorkFile ? { file: goWorkFile, json: JSON.parse(await go(["work", "edit", "-json", goWorkFile], work)) as GoWorkJson } : undefined;
    const provided = new Map(PROVIDED_MODULES.map((m) => [m.path, join(opts.shimDir, m.dir)]));
    const pinned = new Map(opts.shimDeps.filter((d) => !d.replace && !provided.has(d.path)).map((d) => [d.path, d.version]));
    const layout = planLayout({ pluginDir, goMod, goWork, provided, pinned });
    layout.notes.forEach(note);

    const edits = [`-module=${newModule}`, ...layout.edits];
    for (const m of PROVIDED_MODULES) {
      // Our copies have no version of their own: the shim records the placeholder its go.mod requires.
      const version = opts.shimDeps.find((d) => d.path === m.path)?.version ?? "v0.0.0-00010101000000-000000000000";
      edits.push(`-dropreplace=${m.path}`, `-require=${m.path}@${version}`, `-replace=${m.path}=${provided.get(m.path)}`);
    }
    for (const [path, version] of pinned) edits.push(`-require=${path}@${version}`);
    await go(["mod", "edit", ...edits], work);
    opts.log?.(`resolving modules for ${pluginDir}`);
    await go(["mod", "tidy"], work);
    let modules = await listModules(work);
    const used = new Set(modules.map((m) => m.Path));
    const restored = layout.droppedIndirect.filter((r) => used.has(r.Path));
    if (restored.length > 0) {
      // Go's minimal version selection keeps the higher of the author's pin and what the graph needs.
      await go(["mod", "edit", ...restored.map((r) => `-require=${r.Path}@${r.Version}`)], work);
      await go(["mod", "tidy"], work);
      modules = await listModules(work);
    }

    const conflicts = versionConflicts(modules, opts.shimDeps);
    if (conflicts.length > 0) {
      throw new PluginBuildError(`plugin ${pluginDir} cannot share packages with this gateway:\n- ${conflicts.join("\n- ")}`);
    }
    opts.log?.(`building ${output}`);
    await go(["build", "-buildmode=plugin", "-trimpath", "-o", output, "."], work);
    return { output, module: newModule };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
