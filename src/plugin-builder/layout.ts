// Plugin layouts Tyk's documentation describes, taken as they are: a go.mod
// requiring a real Tyk version or commit (often with Tyk's whole dependency
// graph recorded as indirect requirements), a go.work beside a Tyk checkout,
// a vendor/ folder. The builder works on a copy in another directory, so
// whatever pointed at Tyk is turned to this gateway's packages, whatever
// pointed at other local modules is made absolute, and each thing that is not
// used is said in a note.

import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import process from "node:process";

/** A module version as `go mod edit -json` prints it. */
export interface ModVersion {
  Path: string;
  Version?: string;
}

/** The parts of `go mod edit -json` output the builder reads. */
export interface GoModJson {
  Module?: ModVersion;
  Require?: Array<ModVersion & { Indirect?: boolean }> | null;
  Replace?: Array<{ Old: ModVersion; New: ModVersion }> | null;
}

/** The parts of `go work edit -json` output the builder reads. */
export interface GoWorkJson {
  Use?: Array<{ DiskPath: string }> | null;
  Replace?: Array<{ Old: ModVersion; New: ModVersion }> | null;
}

/** What the build changes in the copy's go.mod (`go mod edit` flags), and what it tells the user. */
export interface LayoutPlan {
  edits: string[];
  notes: string[];
  /**
   * The `// indirect` requirements dropped (see planLayout), modules the
   * gateway does not pin: once the plugin's own graph is known, those it uses
   * get their version back (an author may have pinned one on purpose, and two
   * plugins sharing a module must agree on it).
   */
  droppedIndirect: ModVersion[];
}

export interface LayoutInput {
  /** The plugin's own directory (relative paths in its go.mod are relative to it). */
  pluginDir: string;
  /** The copy's go.mod, or undefined when the plugin has none. */
  goMod?: GoModJson;
  /** The go.work that applies to the plugin directory, if any. */
  goWork?: { file: string; json: GoWorkJson };
  /** Modules the gateway provides (Tyk's), with the directory of our copy: never taken from the plugin's layout. */
  provided: ReadonlyMap<string, string>;
  /** Modules the gateway is built with, by path, with their version: a plugin shares them. */
  pinned: ReadonlyMap<string, string>;
}

/**
 * The go.work Go would use for a build in `dir`: `$GOWORK` when set (`off`
 * for none), else the first go.work in `dir` or a parent directory.
 */
export function findGoWork(dir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.GOWORK !== undefined && env.GOWORK !== "") return env.GOWORK === "off" ? undefined : resolve(env.GOWORK);
  for (let d = resolve(dir);; d = dirname(d)) {
    if (existsSync(join(d, "go.work"))) return join(d, "go.work");
    if (dirname(d) === d) return undefined;
  }
}

/** A replacement that names a directory (Go: a path starting with ./, ../ or /, and no version). */
const isLocal = (v: ModVersion): boolean => !v.Version && (isAbsolute(v.Path) || /^\.\.?[/\\]/.test(v.Path) || v.Path === "." || v.Path === "..");

/** A module version as `go mod edit` flags spell it. */
const spec = (v: ModVersion): string => (v.Version ? `${v.Path}@${v.Version}` : v.Path);
/** A module version as go.mod spells it. */
const show = (v: ModVersion): string => (v.Version ? `${v.Path} ${v.Version}` : v.Path);

/** The module path declared by `<dir>/go.mod`, if there is one. */
export function moduleOf(dir: string): string | undefined {
  const file = join(dir, "go.mod");
  if (!existsSync(file)) return undefined;
  return /^module\s+(\S+)/m.exec(readFileSync(file, "utf8"))?.[1]?.replace(/"/g, "");
}

/**
 * Works out how the copy's go.mod must change for the plugin's layout:
 *
 * - replace directives for Tyk's modules or for modules the gateway is built
 *   with are dropped (a plugin shares those with the gateway), each with a note;
 * - replace directives naming a local directory are made absolute, since the
 *   build runs elsewhere;
 * - when go.mod requires Tyk (unless it points it at our copy already), its
 *   `// indirect` requirements are dropped: `go mod tidy` records those from Tyk's own dependency graph,
 *   which this build does not use, and they would otherwise lift modules the
 *   plugin shares with the gateway; tidy recomputes what the plugin needs;
 * - a go.work's `use` entries other than the plugin and Tyk become replace
 *   directives to their directories, and its replace directives apply over
 *   go.mod's as in Go, so the build sees the modules the workspace gives.
 */
export function planLayout(input: LayoutInput): LayoutPlan {
  const edits: string[] = [];
  const notes: string[] = [];
  const shared = (path: string): string | undefined =>
    input.provided.has(path) ? "plugins build against this gateway's Tyk packages" : input.pinned.has(path)
      ? `the gateway is built with ${path} ${input.pinned.get(path)}, and a plugin must share it`
      : undefined;
  const used = new Set<string>();
  let ourTyk = false; // go.mod already points Tyk at our copy (as this repository's test plugins do)
  const replace = (r: { Old: ModVersion; New: ModVersion }, base: string, where: string): void => {
    const why = shared(r.Old.Path);
    if (why && isLocal(r.New) && resolve(base, r.New.Path) === input.provided.get(r.Old.Path)) {
      ourTyk = true;
    } else if (why) {
      notes.push(`${where}: replace ${show(r.Old)} => ${show(r.New)} is not used: ${why}`);
      edits.push(`-dropreplace=${spec(r.Old)}`);
      return;
    }
    if (isLocal(r.New)) edits.push(`-replace=${spec(r.Old)}=${resolve(base, r.New.Path)}`);
    else if (where !== "go.mod") edits.push(`-replace=${spec(r.Old)}=${spec(r.New)}`);
  };
  for (const r of input.goMod?.Replace ?? []) replace(r, input.pluginDir, "go.mod");

  const tyk = input.goMod?.Require?.find((r) => input.provided.has(r.Path));
  const droppedIndirect: ModVersion[] = [];
  if (tyk && !ourTyk) {
    const indirect = (input.goMod?.Require ?? []).filter((r) => r.Indirect && !input.provided.has(r.Path));
    for (const r of indirect) {
      edits.push(`-droprequire=${r.Path}`);
      if (!input.pinned.has(r.Path) && r.Version) droppedIndirect.push({ Path: r.Path, Version: r.Version });
    }
    if (indirect.length > 0) {
      notes.push(
        `go.mod: its ${indirect.length} indirect requirements were recorded against ${tyk.Path} ${tyk.Version}'s own dependencies and are not used; the modules the plugin needs are worked out again for this gateway's Tyk packages`,
      );
    }
  }

  if (input.goWork) {
    const where = input.goWork.file;
    const base = dirname(where);
    for (const u of input.goWork.json.Use ?? []) {
      const dir = resolve(base, u.DiskPath);
      if (dir === resolve(input.pluginDir)) continue;
      const mod = moduleOf(dir);
      if (!mod) {
        notes.push(`${where}: use ${u.DiskPath} is not used: ${dir} has no go.mod`);
      } else if (shared(mod)) {
        notes.push(`${where}: use ${u.DiskPath} (${mod}) is not used: ${shared(mod)}`);
      } else {
        used.add(mod);
        edits.push(`-replace=${mod}=${dir}`);
        notes.push(`${where}: ${mod} is taken from ${dir}`);
      }
    }
    for (const r of input.goWork.json.Replace ?? []) {
      if (!used.has(r.Old.Path)) replace(r, base, where);
    }
  }
  return { edits, notes, droppedIndirect };
}

/** The note for a vendor/ folder, which the build never uses. */
export const VENDOR_NOTE =
  "vendor/ is not used: it was made against Tyk's own packages, which this gateway replaces with its own; the other modules come from the Go module cache or GOPROXY";
