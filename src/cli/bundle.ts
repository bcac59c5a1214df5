// `gateway bundle build [-m manifest.json] [-o bundle.zip] [-k private.pem] [-y]`: Tyk's `tyk bundle build`, with
// the same flags (long forms --manifest, --output, --key, --skip-signing) and the same checks (every listed file
// exists, at least one hook, a driver). The zip holds the file_list files and manifest.json with checksum and
// signature filled in, which both this gateway and Tyk accept. Files are found relative to the manifest's
// directory, as Tyk's documentation says (Tyk's binary itself reads them from the working directory, which is the
// same thing with the default -m).
import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, posix, resolve } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline";
import { type Zippable, zipSync } from "fflate";
import { ConfigError, readJsonFile } from "../config/validate.ts";
import { canonicalPath, MANIFEST_FILE, parseManifest } from "../bundles/manifest.ts";
import { bundleChecksum, parsePrivateKey, signBundle, VerifyError } from "../bundles/verify.ts";

const USAGE = "usage: gateway bundle build [-m manifest.json] [-o bundle.zip] [-k private.pem] [-y]";
const DEFAULT_MANIFEST = "manifest.json";
const DEFAULT_OUTPUT = "bundle.zip";
// A fixed entry time makes the same inputs give the same zip, byte for byte.
const ZIP_MTIME = new Date(1980, 0, 1);

const say = (msg: string) => process.stderr.write(`${msg}\n`);

interface BuildFlags {
  manifest: string;
  output: string;
  key: string;
  skipSigning: boolean;
}

export async function bundleCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "help" || sub === "-h" || sub === "--help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (sub !== "build") {
    say(sub === undefined ? USAGE : `unknown bundle command ${JSON.stringify(sub)}\n${USAGE}`);
    return 2;
  }
  const flags = parseFlags(rest);
  if (typeof flags === "string") {
    say(`${flags}\n${USAGE}`);
    return 2;
  }
  try {
    return await build(flags);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof VerifyError || err instanceof BuildError) {
      say(`bundle build failed: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

class BuildError extends Error {}

/** The flags, or what is wrong with them. Accepts "-k file", "--key file" and "--key=file", as kingpin does. */
function parseFlags(args: string[]): BuildFlags | string {
  const flags: BuildFlags = { manifest: "", output: "", key: "", skipSigning: false };
  const valued: Record<string, "manifest" | "output" | "key"> = {
    "-m": "manifest",
    "--manifest": "manifest",
    "-o": "output",
    "--output": "output",
    "-k": "key",
    "--key": "key",
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-y" || arg === "--skip-signing") {
      flags.skipSigning = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const field = valued[name];
    if (!field) return arg.startsWith("-") ? `unknown flag ${arg}` : `unexpected argument ${JSON.stringify(arg)}`;
    const value = name === arg ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || value === "") return `${name} needs a value`;
    flags[field] = value;
  }
  return flags;
}

async function build(flags: BuildFlags): Promise<number> {
  const manifestPath = resolve(flags.manifest || DEFAULT_MANIFEST);
  const { manifest, raw, unknownFields } = parseManifest(readJsonFile(manifestPath), manifestPath);
  for (const field of unknownFields) {
    const hint = field === "driver"
      ? ' (the driver goes inside custom_middleware: "custom_middleware": {"driver": ...})'
      : "";
    say(`warning: ${manifestPath}: ${field} is not a bundle manifest field; Tyk and this gateway ignore it${hint}`);
  }
  const mw = manifest.custom_middleware;
  const hooks = mw.pre.length + mw.post.length + mw.post_key_auth.length + mw.response.length + (mw.auth_check ? 1 : 0) +
    (mw.traffic_logs ? 1 : 0);
  if (hooks === 0) {
    throw ConfigError.of(
      manifestPath,
      "custom_middleware",
      "no hooks defined (pre, post, post_key_auth, response, auth_check or traffic_logs)",
    );
  }
  if (mw.driver === "") {
    throw ConfigError.of(manifestPath, "custom_middleware.driver", 'no driver specified (for Go plugins: "goplugin")');
  }

  const baseDir = dirname(manifestPath);
  const seen = new Map<string, number>();
  const files = manifest.file_list.map((listed, i) => {
    const path = canonicalPath(listed);
    const field = `file_list[${i}]`;
    if (path === MANIFEST_FILE) {
      throw ConfigError.of(manifestPath, field, "manifest.json is added by the build; remove it");
    }
    const twice = seen.get(path);
    if (twice !== undefined) {
      throw ConfigError.of(manifestPath, field, `${JSON.stringify(listed)} is also file_list[${twice}]`);
    }
    seen.set(path, i);
    const abs = join(baseDir, path);
    let isFile = false;
    try {
      isFile = statSync(abs).isFile();
    } catch {
      throw ConfigError.of(manifestPath, field, `${JSON.stringify(listed)} does not exist (looked for ${abs})`);
    }
    if (!isFile) throw ConfigError.of(manifestPath, field, `${JSON.stringify(listed)} is not a file (${abs})`);
    return { path, data: new Uint8Array(readFileSync(abs)) };
  });
  warnUnbundledPlugins(manifestPath, [
    ...mw.pre,
    ...mw.post,
    ...mw.post_key_auth,
    ...mw.response,
    ...(mw.auth_check ? [mw.auth_check] : []),
    ...(mw.traffic_logs ? [mw.traffic_logs] : []),
  ], seen);

  const parts = files.map((f) => f.data);
  const checksum = bundleChecksum(parts);
  let signature = "";
  if (flags.key !== "") {
    let pem: string;
    try {
      pem = readFileSync(flags.key, "utf8");
    } catch (err) {
      throw new BuildError(`cannot read the private key ${flags.key}: ${(err as Error).message}`);
    }
    signature = signBundle(parts, parsePrivateKey(pem, flags.key));
    say(`signing the bundle with the key in ${flags.key}`);
  } else if (flags.skipSigning) {
    say("warning: the bundle will be unsigned: gateways with public_key_path set will refuse it");
  } else if (!(await confirm('warning: the bundle will be unsigned, type "y" or "yes" to confirm: '))) {
    say("aborted (use -k <private key> to sign the bundle, or -y to build it unsigned without asking)");
    return 1;
  }

  const zip: Zippable = Object.create(null);
  const dirs = new Set<string>();
  for (const f of files) for (let d = posix.dirname(f.path); d !== "."; d = posix.dirname(d)) dirs.add(d);
  // Directory entries first, parents before children: Tyk's unpacker creates directories only from such entries.
  for (const d of [...dirs].sort()) zip[`${d}/`] = [new Uint8Array(0), { level: 0 }];
  for (const f of files) zip[f.path] = f.data;
  const out = { ...raw, checksum, signature };
  zip[MANIFEST_FILE] = new TextEncoder().encode(`${JSON.stringify(out, null, 2)}\n`);
  const bytes = zipSync(zip, { level: 6, mtime: ZIP_MTIME });

  if (!flags.output) say(`warning: no -o given, writing ${DEFAULT_OUTPUT}`);
  const output = resolve(flags.output || DEFAULT_OUTPUT);
  await writeAtomically(output, bytes);
  say(`wrote ${output} (${bytes.length} bytes, ${files.length} file(s), ${signature ? "signed" : "unsigned"})`);
  process.stdout.write(`${output}\n`);
  return 0;
}

/** A plugin path not in file_list will not be in the bundle; say so (a versioned build of it counts as present). */
function warnUnbundledPlugins(
  manifestPath: string,
  entries: Array<{ path: string }>,
  listed: Map<string, number>,
): void {
  for (const { path } of entries) {
    if (path === "") continue;
    const p = canonicalPath(path);
    const stem = p.replace(/\.so$/, "");
    if (listed.has(p) || [...listed.keys()].some((l) => l.startsWith(`${stem}_`) && l.endsWith(".so"))) continue;
    say(
      `warning: ${manifestPath}: plugin path ${
        JSON.stringify(path)
      } is not in file_list, so the bundle will not contain it`,
    );
  }
}

// The bundle server may be serving the output directory: never let it see a half-written zip.
async function writeAtomically(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(6).toString("hex")}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new BuildError(`cannot write ${path}: ${(err as Error).message}`);
  }
}

/** Asks on stderr and reads one line from stdin (a pipe works too); yes when it starts with "y". */
async function confirm(question: string): Promise<boolean> {
  process.stderr.write(question);
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    const answer = await new Promise<string>((done) => {
      rl.once("line", done);
      rl.once("close", () => done(""));
    });
    return /^y/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
