// Hostile and broken archives, served over HTTP like real bundles: each is refused, and nothing is written anywhere.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { strToU8, type Zippable, zipSync } from "fflate";
import { BundleError, loadBundle } from "../../src/bundles/index.ts";
import { ArchiveError, extractAtomically, readZip } from "../../src/bundles/unzip.ts";
import { makeBundle, serveBundles, tempDir, tree } from "./helpers.ts";

const PLUGIN: [string, string] = ["AddFooBarHeader.so", "plugin bytes"];
const ABS_NAME = `/gw-bundle-test-${randomBytes(6).toString("hex")}`;

/** Sets an entry's declared uncompressed size, in the central directory and its local header, to `size`. */
function lieAboutSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  let eocd = out.length - 22;
  while (view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  let p = view.getUint32(eocd + 16, true);
  for (let i = 0; i < view.getUint16(eocd + 10, true); i++) {
    const nameLen = view.getUint16(p + 28, true);
    if (new TextDecoder().decode(out.subarray(p + 46, p + 46 + nameLen)) === name) {
      view.setUint32(p + 24, size, true);
      view.setUint32(view.getUint32(p + 42, true) + 22, size, true);
      return out;
    }
    p += 46 + nameLen + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
  }
  throw new Error(`no entry ${name}`);
}

const withExtra = (extra: Zippable) => makeBundle({ files: [PLUGIN], extra });
const unixMode = (mode: number): [Uint8Array, { os: number; attrs: number }] => [strToU8("/etc/passwd"), {
  os: 3,
  attrs: (mode << 16) >>> 0,
}];

interface Case {
  name: string;
  zip: () => Uint8Array;
  want: RegExp;
  limits?: { maxBytes?: number; maxEntries?: number };
}

const CASES: Case[] = [
  {
    name: "../evil",
    zip: () => withExtra({ "../evil": strToU8("x") }),
    want: /entry "\.\.\/evil" has a "\.\." segment/,
  },
  {
    name: "../../../evil (reaching the test root)",
    zip: () => withExtra({ "a/../../../../evil": strToU8("x") }),
    want: /has a "\.\." segment/,
  },
  { name: "/abs", zip: () => withExtra({ [ABS_NAME]: strToU8("x") }), want: /is an absolute path/ },
  { name: "C:\\x", zip: () => withExtra({ "C:\\x": strToU8("x") }), want: /contains a backslash/ },
  { name: "C:x (drive, no backslash)", zip: () => withExtra({ "C:x": strToU8("x") }), want: /Windows drive letter/ },
  { name: "..\\evil", zip: () => withExtra({ "..\\evil": strToU8("x") }), want: /contains a backslash/ },
  { name: "a symlink entry", zip: () => withExtra({ link: unixMode(0o120777) }), want: /"link" is a symbolic link/ },
  { name: "a FIFO entry", zip: () => withExtra({ fifo: unixMode(0o010644) }), want: /"fifo" is a special file/ },
  {
    name: "a zip bomb over the size limit (declared sizes)",
    zip: () => withExtra({ "bomb.bin": new Uint8Array(4 << 20) }),
    want: /unpacks to more than the limit of 1048576 bytes/,
    limits: { maxBytes: 1 << 20 },
  },
  {
    name: "a zip bomb lying about its size (real inflated size)",
    zip: () => lieAboutSize(withExtra({ "bomb.bin": new Uint8Array(4 << 20) }), "bomb.bin", 100),
    want: /"bomb\.bin": inflates to more than the 100 bytes the archive declares/,
    limits: { maxBytes: 1 << 20 },
  },
  {
    name: "too many entries",
    zip: () => withExtra(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, strToU8("x")]))),
    want: /has 14 entries, over the limit of 10/,
    limits: { maxEntries: 10 },
  },
  {
    name: "a manifest listing a file the zip lacks",
    zip: () => makeBundle({ files: [PLUGIN], manifest: { file_list: [PLUGIN[0], "missing.so"] } }),
    want: /b\.zip\/manifest\.json: file_list\[1\]: "missing\.so" is not in the archive/,
  },
  {
    name: "a file the manifest does not list (nothing would verify it)",
    zip: () => withExtra({ "unlisted.so": strToU8("evil") }),
    want: /"unlisted\.so" is in the archive but not in manifest\.json's file_list/,
  },
  {
    name: "the same file twice",
    zip: () => withExtra({ "./AddFooBarHeader.so": strToU8("other") }),
    want: /"AddFooBarHeader\.so" is in the archive more than once/,
  },
  { name: "no manifest.json", zip: () => zipSync({ "a.so": strToU8("x") }), want: /no manifest\.json at the top/ },
  { name: "not a zip at all", zip: () => strToU8("<html>502 Bad Gateway</html>"), want: /not a zip archive/ },
  {
    name: "a damaged entry (CRC mismatch)",
    zip: () => {
      const z = makeBundle({ files: [["data.bin", new Uint8Array(1000).fill(65)]] }).slice();
      z[30 + "data.bin".length + 3] ^= 0xff; // inside data.bin's compressed bytes
      return z;
    },
    want: /"data\.bin": (CRC mismatch|damaged compressed data|inflates to)/,
  },
];

test("control: the bundle the hostile cases start from loads", async () => {
  const srv = await serveBundles({ "/bundles/b.zip": withExtra({}) });
  try {
    const b = await loadBundle("b.zip", {
      baseUrl: srv.baseUrl,
      middlewarePath: tempDir(),
      maxEntries: 10,
      maxBytes: 1 << 20,
    });
    assert.equal(b.fromCache, false);
  } finally {
    await srv.close();
  }
});

for (const c of CASES) {
  test(`hostile zip refused: ${c.name}; nothing is written`, async () => {
    const zip = c.zip();
    const srv = await serveBundles({ "/bundles/b.zip": zip });
    try {
      const root = tempDir();
      const mw = join(root, "mw");
      mkdirSync(mw);
      let error: unknown;
      await loadBundle("b.zip", { baseUrl: srv.baseUrl, middlewarePath: mw, ...c.limits }).catch((e) => (error = e));
      assert.ok(error instanceof BundleError, `expected a BundleError, got ${error}`);
      assert.match(error.message, /^bundle "b\.zip": refused: /);
      assert.match(error.message, c.want);
      assert.deepEqual(tree(root), ["mw/"], "nothing is written, inside the middleware path or out of it");
      assert.equal(existsSync(ABS_NAME), false);
      assert.equal(srv.hits("/bundles/b.zip"), 1, "a hostile archive is not downloaded again");
    } finally {
      await srv.close();
    }
  });
}

test("readZip: a legitimate archive with directories, stored and deflated entries reads back exactly", () => {
  const big = new Uint8Array(100_000).map((_, i) => i % 251);
  const zip = zipSync({
    lib: { "a.so": [big, { level: 9 }], "b.txt": [strToU8("stored"), { level: 0 }] },
    "empty.txt": new Uint8Array(0),
  });
  const c = readZip(zip, { maxBytes: 1 << 20, maxEntries: 10 });
  assert.deepEqual([...c.dirs], ["lib"]);
  assert.deepEqual([...c.files.keys()].sort(), ["empty.txt", "lib/a.so", "lib/b.txt"]);
  assert.deepEqual(c.files.get("lib/a.so"), big);
  assert.equal(new TextDecoder().decode(c.files.get("lib/b.txt")), "stored");
  assert.equal(c.files.get("empty.txt")?.length, 0);
  assert.throws(() => readZip(zip, { maxBytes: 100_005, maxEntries: 10 }), ArchiveError);
  assert.throws(() => readZip(zip, { maxBytes: 1 << 20, maxEntries: 3 }), /4 entries, over the limit of 3/);
  assert.throws(
    () => readZip(zipSync({ a: strToU8("x"), "a/b": strToU8("y") }), { maxBytes: 100, maxEntries: 10 }),
    /inside "a", which is a file/,
  );
});

test("extractAtomically: concurrent installs of one target give one winner and no leftovers", async () => {
  const root = tempDir();
  const target = join(root, "bundles", "abc");
  const contents = (tag: string) => ({
    files: new Map([["x/y.so", strToU8(tag)], ["manifest.json", strToU8("{}")]]),
    dirs: new Set(["x"]),
  });
  const results = await Promise.all(["one", "two", "three"].map((t) => extractAtomically(contents(t), target)));
  assert.deepEqual(results.sort(), ["exists", "exists", "installed"]);
  assert.deepEqual(tree(root), [
    "bundles/",
    "bundles/abc/",
    "bundles/abc/manifest.json",
    "bundles/abc/x/",
    "bundles/abc/x/y.so",
  ]);
  assert.deepEqual(readdirSync(join(root, "bundles")), ["abc"], "no temporary directories left");
});
