// `npm run build:deno`: the `deno compile` path to a single executable,
// dist/gateway-deno. (`npm run build` makes dist/gateway with Bun: that is
// the executable the project ships and tests.)
//
// deno compile appends the program to `denort`, Deno's base runtime binary,
// which it downloads from dl.deno.land unless DENORT_BIN names a copy. The
// full `deno` binary does not work as DENORT_BIN (the result starts a REPL).
// Before building anything this script finds the base binary: DENORT_BIN, a
// copy deno compile cached earlier ($DENO_DIR/dl/release/v<ver>/...), or a
// quick probe (3 s at most) that dl.deno.land answers. Without any of them it
// stops with exit code 2 and says what to set, instead of letting deno compile
// fail later with a stack trace.
//
// Embedding: the same assets as the Bun build (scripts/build-exe.ts) are
// staged in build/exe-deno/ and added with `--include`; the generated entry
// finds them beside itself in the executable's virtual file system
// (import.meta.dirname) and registers them, and src/shim/install.ts unpacks
// and verifies them as in the Bun executable. After building, the script runs
// `dist/gateway-deno version` (which loads the embedded shim) as a smoke test.
//
// LIMITATION: the build itself could not be run end to end where this was
// written (no denort can be had there); the checks before it are tested
// (test/exe/exe.test.ts).

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import { REPO_ROOT } from "../src/shim/build.ts";
import { importPath, stageAssets, type StagedAssets } from "./build-exe.ts";

export const DENO_EXE_PATH = join(REPO_ROOT, "dist", "gateway-deno");
const DENO = join(REPO_ROOT, "node_modules", ".bin", "deno");
/** Exit code when the base binary cannot be had: the caller must set something. */
export const EXIT_NO_BASE = 2;

interface DenoFacts {
  version: string;
  target: string;
  denoDir: string;
  /** The real path of the deno CLI we run deno compile with. */
  cli: string;
}

class NoBaseBinary extends Error {}

function denoFacts(): DenoFacts {
  const first = execFileSync(DENO, ["--version"], { encoding: "utf8" }).split("\n")[0];
  // "deno 2.9.6 (stable, release, x86_64-unknown-linux-gnu)"
  const m = /^deno (\S+) \((.*)\)/.exec(first);
  const target = m?.[2].split(",").pop()?.trim();
  if (!m || !target) throw new Error(`cannot read the Deno version and target from \`deno --version\`: ${first}`);
  let denoDir = process.env.DENO_DIR;
  if (!denoDir) {
    const info: { denoDir?: string } = JSON.parse(execFileSync(DENO, ["info", "--json"], { encoding: "utf8" }));
    denoDir = info.denoDir ?? "";
  }
  return { version: m[1], target, denoDir, cli: realpathSync(DENO) };
}

type BaseBinary = { from: "DENORT_BIN" | "cache"; path: string } | { from: "download"; url: string };

/** Where deno compile will get denort from, or NoBaseBinary saying why it cannot. */
async function findBaseBinary(facts: DenoFacts): Promise<BaseBinary> {
  const zip = `denort-${facts.target}.zip`;
  const url = `https://dl.deno.land/release/v${facts.version}/${zip}`;
  const howToSet = `Set DENORT_BIN to the path of a denort ${facts.version} binary for ${facts.target} ` +
    `(download ${url} on a machine with network, unzip it and copy the denort binary here), then run \`npm run build:deno\` again. ` +
    "The full `deno` binary will not do: as a base it starts a REPL. `npm run build` makes the single executable with Bun, offline.";
  const envBin = process.env.DENORT_BIN;
  if (envBin) {
    if (!existsSync(envBin) || !statSync(envBin).isFile()) {
      throw new NoBaseBinary(`DENORT_BIN is set to ${envBin}, which is not a file.\n${howToSet}`);
    }
    // A copy of deno itself is the common mistake: it builds, then starts a REPL instead of the gateway.
    if (realpathSync(envBin) === facts.cli || statSync(envBin).size === statSync(facts.cli).size) {
      throw new NoBaseBinary(`DENORT_BIN (${envBin}) is the deno CLI itself, not denort.\n${howToSet}`);
    }
    return { from: "DENORT_BIN", path: envBin };
  }
  const cached = join(facts.denoDir, "dl", "release", `v${facts.version}`, zip);
  if (facts.denoDir && existsSync(cached)) return { from: "cache", path: cached };
  let why: string;
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(3000) });
    if (res.ok) return { from: "download", url };
    why = `HTTP ${res.status}`;
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause;
    why = `${(err as Error).message}${cause?.message ? `: ${cause.message}` : ""}`;
  }
  throw new NoBaseBinary(
    `\`deno compile\` needs Deno's base runtime binary (denort ${facts.version} for ${facts.target}) and none can be had here:\n` +
      `  - DENORT_BIN is not set;\n` +
      `  - no copy cached by an earlier deno compile at ${cached};\n` +
      `  - ${url} cannot be fetched (${why}).\n${howToSet}`,
  );
}

/**
 * node_modules entries the executable must not carry: devDependencies and
 * their platform packages (deno and bun bring ~100 MB binaries each), which
 * deno compile would otherwise embed with the rest of node_modules.
 */
function devOnlyModules(): string[] {
  const readPkg = (dir: string): { devDependencies?: Record<string, string>; optionalDependencies?: Record<string, string> } =>
    JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  // .bin's links would bring the binaries back in.
  const out: string[] = [join(REPO_ROOT, "node_modules", ".bin")];
  for (const name of Object.keys(readPkg(REPO_ROOT).devDependencies ?? {})) {
    const dir = join(REPO_ROOT, "node_modules", name);
    if (!existsSync(dir)) continue;
    out.push(dir);
    for (const opt of Object.keys(readPkg(dir).optionalDependencies ?? {})) {
      if (existsSync(join(REPO_ROOT, "node_modules", opt))) out.push(join(REPO_ROOT, "node_modules", opt));
    }
  }
  return out;
}

function writeDenoEntry(staged: StagedAssets): string {
  const entry = join(staged.dir, "entry.ts");
  const { assets } = staged;
  writeFileSync(
    entry,
    `// Generated by scripts/build-deno-exe.ts: the deno compile entry. Do not edit.
// The assets are --include'd beside this module in the executable's virtual
// file system. main.ts is imported after the registration.
import { join } from "node:path";
import { registerEmbeddedAssets } from ${JSON.stringify(importPath(staged.dir, join(REPO_ROOT, "src/shim/embedded.ts")))};

const here = import.meta.dirname!;
registerEmbeddedAssets({
  gatewayVersion: ${JSON.stringify(assets.gatewayVersion)},
  goVersion: ${JSON.stringify(assets.goVersion)},
  shim: { file: join(here, "libtykshim.so"), sha256: ${JSON.stringify(assets.shim.sha256)}, size: ${assets.shim.size} },
  sources: { file: join(here, "shim-sources.json"), sha256: ${JSON.stringify(assets.sources.sha256)}, treeDigest: ${JSON.stringify(assets.sources.treeDigest)} },
});
await import(${JSON.stringify(importPath(staged.dir, join(REPO_ROOT, "src/main.ts")))});
`,
  );
  return entry;
}

async function main(): Promise<number> {
  const log = (m: string) => console.error(`[build:deno] ${m}`);
  const args = process.argv.slice(2);
  const oi = args.indexOf("--outfile");
  const outfile = oi >= 0 ? args[oi + 1] : DENO_EXE_PATH;
  const facts = denoFacts();
  let base: BaseBinary;
  try {
    base = await findBaseBinary(facts);
  } catch (err) {
    if (!(err instanceof NoBaseBinary)) throw err;
    console.error(`build-deno-exe: cannot build ${relative(process.cwd(), outfile) || outfile}.\n${err.message}`);
    return EXIT_NO_BASE;
  }
  log(base.from === "download" ? `denort will be downloaded from ${base.url}` : `denort from ${base.from}: ${base.path}`);

  const t0 = Date.now();
  const staged = stageAssets(join(REPO_ROOT, "build", "exe-deno"), log);
  const entry = writeDenoEntry(staged);
  mkdirSync(dirname(outfile), { recursive: true });
  const tmp = `${outfile}.tmp-${process.pid}`;
  try {
    // DENORT_BIN reaches deno compile through the inherited environment.
    // --unstable-net: workers listen with SO_REUSEPORT (Deno.listen has it behind the flag).
    const args = ["compile", "-A", "--no-check", "--unstable-net", "--include", staged.library, "--include", staged.sources];
    for (const dir of devOnlyModules()) args.push("--exclude", dir);
    execFileSync(DENO, [...args, "--output", tmp, entry], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "inherit", "inherit"],
    });
    const smoke = spawnSync(tmp, ["version"], { encoding: "utf8", timeout: 30_000, stdio: ["ignore", "pipe", "pipe"] });
    if (smoke.status !== 0 || !/^shim ABI \d+/m.test(smoke.stdout)) {
      log(`the built executable does not run the gateway (is DENORT_BIN denort?): \`${tmp} version\` exited ${smoke.status ?? smoke.signal}:\n${smoke.stdout}${smoke.stderr}`);
      return 1;
    }
    renameSync(tmp, outfile);
  } finally {
    rmSync(tmp, { force: true });
  }
  log(`${relative(process.cwd(), outfile) || outfile}: ${(statSync(outfile).size / 1024 / 1024).toFixed(1)} MiB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return 0;
}

if (import.meta.main) {
  try {
    process.exitCode = await main();
  } catch (err) {
    console.error(`build-deno-exe: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
