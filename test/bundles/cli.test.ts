// `gateway bundle build`: bundles it makes are accepted by loadBundle; Tyk's flags, checks and unsigned prompt.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { strFromU8, unzipSync } from "fflate";
import { BundleError, loadBundle } from "../../src/bundles/index.ts";
import { bundleCommand } from "../../src/cli/bundle.ts";
import { makeKeys, md5hex, serveBundles, tempDir, writeFile } from "./helpers.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "../..");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command in this process, capturing what it writes. */
async function run(args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const realOut = process.stdout.write;
  const realErr = process.stderr.write;
  const capture = (into: string[]) =>
    ((chunk: string | Uint8Array) => {
      into.push(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk));
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  try {
    const code = await bundleCommand(args);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
}

const PLUGIN = "\x7fELF pretend plugin";
const HELPER = "helper library";

/** A plugin project: manifest.json, the plugin and a helper in a subdirectory. */
function project(manifest: Record<string, unknown> = {}): { dir: string; manifest: string } {
  const dir = tempDir();
  writeFile(dir, "AddFooBarHeader.so", PLUGIN);
  writeFile(dir, "lib/helper.so", HELPER);
  const m = {
    file_list: ["AddFooBarHeader.so", "lib/helper.so"],
    custom_middleware: { post: [{ name: "AddFooBarHeader", path: "AddFooBarHeader.so" }], driver: "goplugin" },
    checksum: "",
    signature: "",
    ...manifest,
  };
  return { dir, manifest: writeFile(dir, "manifest.json", JSON.stringify(m, null, 2)) };
}

async function serveAndLoad(zip: Uint8Array, publicKeyPem?: string) {
  const srv = await serveBundles({ "/bundles/built.zip": zip });
  try {
    const publicKeyPath = publicKeyPem === undefined ? "" : writeFile(tempDir(), "pub.pem", publicKeyPem);
    return await loadBundle("built.zip", { baseUrl: srv.baseUrl, middlewarePath: tempDir(), publicKeyPath });
  } finally {
    await srv.close();
  }
}

test("bundle build -y: an unsigned bundle that loadBundle accepts, laid out for Tyk", async () => {
  const p = project();
  const before = readFileSync(p.manifest, "utf8");
  const out = join(tempDir(), "bundle.zip");
  const r = await run(["build", "-m", p.manifest, "-o", out, "-y"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: the bundle will be unsigned/);
  assert.equal(r.stdout.trim(), out);
  assert.equal(readFileSync(p.manifest, "utf8"), before, "the source manifest is not modified");

  const zip = new Uint8Array(readFileSync(out));
  const entries = unzipSync(zip);
  // Directory entries before the files in them (Tyk's unpacker needs them), manifest.json last.
  assert.deepEqual(Object.keys(entries), ["lib/", "AddFooBarHeader.so", "lib/helper.so", "manifest.json"]);
  const written = JSON.parse(strFromU8(entries["manifest.json"]));
  assert.equal(written.checksum, md5hex(PLUGIN + HELPER));
  assert.equal(written.signature, "");
  assert.deepEqual(written.custom_middleware.post, [{ name: "AddFooBarHeader", path: "AddFooBarHeader.so" }]);

  const b = await serveAndLoad(zip);
  assert.equal(readFileSync(join(b.dir, "lib/helper.so"), "utf8"), HELPER);
  assert.equal(b.customMiddleware.post[0].path, join(b.dir, "AddFooBarHeader.so"));

  // The same inputs give the same bytes.
  const again = join(tempDir(), "again.zip");
  assert.equal((await run(["build", "--manifest", p.manifest, "--output=" + again, "--skip-signing"])).code, 0);
  assert.deepEqual(readFileSync(again), readFileSync(out));
});

test("bundle build -k: signed with a PKCS#1 or PKCS#8 key, accepted with the public key, refused with another", async () => {
  const keys = makeKeys();
  const other = makeKeys();
  const p = project();
  for (const [label, pem] of [["pkcs1", keys.privatePkcs1Pem], ["pkcs8", keys.privatePem]]) {
    const keyFile = writeFile(tempDir(), "private.pem", pem);
    const out = join(tempDir(), "bundle.zip");
    const r = await run(["build", "--manifest=" + p.manifest, "-o", out, "--key=" + keyFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /unsigned/, label);
    const zip = new Uint8Array(readFileSync(out));
    assert.notEqual(JSON.parse(strFromU8(unzipSync(zip)["manifest.json"])).signature, "", label);
    const b = await serveAndLoad(zip, keys.publicPem);
    assert.equal(readFileSync(join(b.dir, "AddFooBarHeader.so"), "utf8"), PLUGIN, label);
    await assert.rejects(
      serveAndLoad(zip, other.publicPem),
      (e: unknown) => e instanceof BundleError && /bad signature/.test(e.message),
    );
  }
});

test("bundle build: a missing file is refused naming the manifest and the entry, and nothing is written", async () => {
  const p = project({ file_list: ["AddFooBarHeader.so", "missing.so"] });
  const out = join(tempDir(), "bundle.zip");
  const r = await run(["build", "-m", p.manifest, "-o", out, "-y"]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /bundle build failed: .*manifest\.json: file_list\[1\]: "missing\.so" does not exist \(looked for .*missing\.so\)/,
  );
  assert.equal(existsSync(out), false);
});

test("bundle build: Tyk's manifest checks (hooks, driver, file_list) with the field named", async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ custom_middleware: { driver: "goplugin" } }, /custom_middleware: no hooks defined/],
    [
      { custom_middleware: { post: [{ name: "F", path: "AddFooBarHeader.so" }] } },
      /custom_middleware\.driver: no driver specified/,
    ],
    [
      { file_list: ["AddFooBarHeader.so", "./AddFooBarHeader.so"] },
      /file_list\[1\]: "\.\/AddFooBarHeader\.so" is also file_list\[0\]/,
    ],
    [{ file_list: ["manifest.json"] }, /file_list\[0\]: manifest\.json is added by the build/],
    [{ file_list: ["../outside.so"] }, /file_list\[0\]: "\.\.\/outside\.so" has a "\.\." segment/],
    [{ file_list: ["lib"] }, /file_list\[0\]: "lib" is not a file/],
    [
      { custom_middleware: { post: [{ name: "", path: "x.so" }], driver: "goplugin" } },
      /custom_middleware\.post\[0\]\.name: must not be empty/,
    ],
  ];
  for (const [manifest, want] of cases) {
    const p = project(manifest);
    const r = await run(["build", "-m", p.manifest, "-o", join(p.dir, "out.zip"), "-y"]);
    assert.equal(r.code, 1, JSON.stringify(manifest));
    assert.match(r.stderr, want);
  }
});

test("bundle build: warns about fields Tyk ignores and plugins left out of file_list", async () => {
  const p = project({
    driver: "goplugin",
    custom_middleware: {
      driver: "goplugin",
      pre: [{ name: "Other", path: "other.so" }],
      post: [{ name: "AddFooBarHeader", path: "AddFooBarHeader.so" }],
    },
  });
  const r = await run(["build", "-m", p.manifest, "-o", join(p.dir, "out.zip"), "-y"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /warning: .*manifest\.json: driver is not a bundle manifest field.*goes inside custom_middleware/,
  );
  assert.match(r.stderr, /warning: .*plugin path "other\.so" is not in file_list/);
  assert.doesNotMatch(r.stderr, /"AddFooBarHeader\.so" is not in file_list/);
});

test("bundle build: usage errors", async () => {
  assert.equal((await run([])).code, 2);
  assert.equal((await run(["sign"])).code, 2);
  const unknown = await run(["build", "--frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown flag --frobnicate\nusage: gateway bundle build/);
  assert.match((await run(["build", "-k"])).stderr, /-k needs a value/);
  assert.equal((await run(["--help"])).code, 0);
  const missing = await run(["build", "-m", join(tempDir(), "nope.json"), "-y"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.json: cannot read file: no such file/);
});

/** The CLI in a child process of the runtime running this test, with `input` on its stdin. */
function spawnCli(args: string[], input: string, cwd: string) {
  const script = join(HERE, "fixtures", "bundle-cli.ts");
  const argv = process.versions.bun
    ? [script, ...args]
    : ["run", "-A", `--config=${join(REPO, "deno.json")}`, script, ...args];
  return spawnSync(process.execPath, argv, { input, cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
}

test("bundle build without -k or -y asks first, as Tyk does: only y/yes goes ahead", () => {
  const p = project();
  const no = spawnCli(["build"], "n\n", p.dir);
  assert.equal(no.status, 1, no.stderr);
  assert.match(no.stderr, /the bundle will be unsigned, type "y" or "yes" to confirm/);
  assert.match(no.stderr, /aborted \(use -k <private key> to sign the bundle, or -y/);
  assert.equal(existsSync(join(p.dir, "bundle.zip")), false);

  const eof = spawnCli(["build"], "", p.dir);
  assert.equal(eof.status, 1, "no answer (stdin at its end) is a no");

  const yes = spawnCli(["build"], "yes\n", p.dir);
  assert.equal(yes.status, 0, yes.stderr);
  assert.match(yes.stderr, /no -o given, writing bundle\.zip/);
  assert.equal(yes.stdout.trim(), join(p.dir, "bundle.zip"), "defaults: ./manifest.json in, ./bundle.zip out");
  assert.ok(existsSync(join(p.dir, "bundle.zip")));
});
