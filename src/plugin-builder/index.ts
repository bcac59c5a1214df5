// `gateway plugin build`: our answer to Tyk's plugin compiler. It builds a
// plugin directory against this gateway's shim: the same Go toolchain and
// flags, Tyk's packages resolved to the shim's own copy (shim-go/tyk), and
// every module the shim contains pinned to the shim's version. The plugin's
// files are never edited: the build runs on a copy whose module path is made
// unique, so every build has its own identity and can be loaded beside older
// builds of the same plugin (Go refuses two plugins with one module path).

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { goEnv, goVersion } from "../shim/build.ts";

export const TYK_MODULE = "github.com/TykTechnologies/tyk";

export interface ShimModule {
  path: string;
  version: string;
  replace?: string;
}

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
  log?: (msg: string) => void;
}

export class PluginBuildError extends Error {
  override name = "PluginBuildError";
}

export const goArch = (): string => ({ x64: "amd64", arm64: "arm64", ia32: "386" } as Record<string, string>)[process.arch] ?? process.arch;

export function defaultPluginFileName(pluginDir: string, gatewayVersion: string): string {
  return `${basename(resolve(pluginDir))}_v${gatewayVersion}_${process.platform}_${goArch()}.so`;
}

// Async so that a test run can build several plugins at once.
function go(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("go", args, { cwd, env: goEnv(), encoding: "utf8", maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new PluginBuildError(`go ${args.join(" ")} failed:\n${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
  });
}

function moduleName(goMod: string): string | undefined {
  return /^module\s+(\S+)/m.exec(goMod)?.[1]?.replace(/"/g, "");
}

function goFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...goFiles(p));
    else if (e.name.endsWith(".go")) out.push(p);
  }
  return out;
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
    if (!want || m.Main || m.Path === TYK_MODULE) continue;
    if (m.Version !== want.version) {
      problems.push(
        `module ${m.Path} resolves to ${m.Version} in your plugin, but the gateway is built with ${want.version}: pin it with \`go get ${m.Path}@${want.version}\` (and check that what needs the newer one can use it)`,
      );
    }
  }
  return problems;
}

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
  try {
    cpSync(pluginDir, work, {
      recursive: true,
      filter: (src) => !/[/\\](vendor|\.git)$/.test(src) && !src.endsWith(".so"),
    });
    const buildId = `${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
    const safeName = basename(pluginDir).replace(/[^A-Za-z0-9._-]/g, "_") || "plugin";
    const newModule = `tykgw.plugin/${safeName}/b${buildId}`;
    const goModPath = join(work, "go.mod");
    const oldModule = existsSync(goModPath) ? moduleName(readFileSync(goModPath, "utf8")) : undefined;
    if (!existsSync(goModPath)) await go(["mod", "init", newModule], work);

    // Packages of the plugin's own module are imported by its old path: point
    // those imports at the new one (in the copy only).
    if (oldModule && oldModule !== newModule) {
      const quoted = new RegExp(`"${oldModule.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(/[^"]*)?"`, "g");
      for (const file of goFiles(work)) {
        const src = readFileSync(file, "utf8");
        const next = src.replace(quoted, (_m, rest = "") => `"${newModule}${rest}"`);
        if (next !== src) writeFileSync(file, next);
      }
    }
    const tyk = opts.shimDeps.find((d) => d.path === TYK_MODULE);
    const edits = [`-module=${newModule}`, "-dropreplace=" + TYK_MODULE];
    edits.push(`-require=${TYK_MODULE}@${tyk?.version ?? "v0.0.0-00010101000000-000000000000"}`);
    edits.push(`-replace=${TYK_MODULE}=${join(opts.shimDir, "tyk")}`);
    for (const d of opts.shimDeps) {
      if (d.path !== TYK_MODULE && !d.replace) edits.push(`-require=${d.path}@${d.version}`);
    }
    await go(["mod", "edit", ...edits], work);
    opts.log?.(`resolving modules for ${pluginDir}`);
    await go(["mod", "tidy"], work);

    const conflicts = versionConflicts(await listModules(work), opts.shimDeps);
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

