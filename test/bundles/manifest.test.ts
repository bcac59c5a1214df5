// The manifest schema, the checksum and signature rules, and where bundles come from and go to.
import assert from "node:assert/strict";
import { createSign } from "node:crypto";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "../../src/config/validate.ts";
import { bundleDir, bundleUrl } from "../../src/bundles/index.ts";
import { bundlePath, parseManifest, parseManifestText } from "../../src/bundles/manifest.ts";
import {
  bundleChecksum,
  parsePrivateKey,
  parsePublicKey,
  signBundle,
  verifyBundle,
  VerifyError,
} from "../../src/bundles/verify.ts";
import { makeKeys, md5hex } from "./helpers.ts";

const enc = (s: string) => new TextEncoder().encode(s);

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    return err;
  }
  assert.fail("expected a ConfigError");
}

test("manifest: Tyk's example parses; driver and paths land where Tyk puts them", () => {
  const { manifest, unknownFields } = parseManifest(
    {
      file_list: ["AddFooBarHeader.so"],
      custom_middleware: {
        post: [{ name: "AddFooBarHeader", path: "AddFooBarHeader.so" }],
        auth_check: {},
        driver: "goplugin",
      },
      checksum: "abc",
      signature: "",
    },
    "FooBarBundle.zip/manifest.json",
  );
  assert.deepEqual(manifest.file_list, ["AddFooBarHeader.so"]);
  assert.equal(manifest.custom_middleware.driver, "goplugin");
  assert.equal(manifest.custom_middleware.post[0].path, "AddFooBarHeader.so");
  assert.equal(manifest.custom_middleware.post[0].disabled, false);
  assert.equal(manifest.custom_middleware.auth_check, undefined, "Tyk's empty auth_check means none");
  assert.deepEqual(manifest.custom_middleware.pre, []);
  assert.equal(manifest.checksum, "abc");
  assert.deepEqual(unknownFields, []);
});

test("manifest: fields Tyk ignores (a top-level driver) are tolerated and reported", () => {
  const { manifest, unknownFields } = parseManifest(
    { file_list: [], custom_middleware: { pre: [{ name: "F" }] }, driver: "goplugin", extra: { a: 1 } },
    "b.zip/manifest.json",
  );
  assert.equal(manifest.custom_middleware.driver, "", "Tyk reads the driver only inside custom_middleware");
  assert.deepEqual(unknownFields, ["driver", "extra"]);
});

test("manifest: errors name <bundle>/manifest.json and the field", () => {
  const file = "b.zip/manifest.json";
  let e = configError(() => parseManifest({ file_list: "x.so" }, file));
  assert.equal(e.file, file);
  assert.equal(e.field, "file_list");
  assert.match(e.message, /^b\.zip\/manifest\.json: file_list: expected an array, got string/);

  e = configError(() => parseManifest({ custom_middleware: { post: [{ name: "", path: "a.so" }] } }, file));
  assert.equal(e.field, "custom_middleware.post[0].name");

  e = configError(() => parseManifest({ custom_middleware: { driver: "java" } }, file));
  assert.equal(e.field, "custom_middleware.driver");

  e = configError(() => parseManifest({ checksum: 5 }, file));
  assert.equal(e.field, "checksum");

  e = configError(() => parseManifestText('{"file_list": [],}', file));
  assert.match(e.message, /b\.zip\/manifest\.json: invalid JSON at line 1, column 18: trailing comma/);
});

test("manifest: paths that could leave the bundle are refused, naming the field", () => {
  const file = "b.zip/manifest.json";
  for (const bad of ["../x.so", "a/../../x.so", "/etc/x.so", "C:\\x.so", "c:x.so", "a\\b.so", ""]) {
    const e = configError(() => parseManifest({ file_list: ["ok.so", bad] }, file));
    assert.equal(e.field, "file_list[1]", bad);
  }
  let e = configError(() =>
    parseManifest({ custom_middleware: { driver: "goplugin", pre: [{ name: "F", path: "../../evil.so" }] } }, file)
  );
  assert.equal(e.field, "custom_middleware.pre[0].path");
  assert.match(e.message, /"\.\.\/\.\.\/evil\.so" has a "\.\." segment/);
  e = configError(() =>
    parseManifest({ custom_middleware: { driver: "goplugin", auth_check: { name: "A", path: "/abs.so" } } }, file)
  );
  assert.equal(e.field, "custom_middleware.auth_check.path");
});

test("bundlePath: canonical forms and refusals", () => {
  assert.deepEqual(bundlePath("./lib//x.so"), { path: "lib/x.so" });
  assert.deepEqual(bundlePath("a/./b"), { path: "a/b" });
  for (const bad of ["..", "a/..", "/a", "\\a", "D:/a", "a\0b", ".", "./"]) assert.ok("reason" in bundlePath(bad), bad);
});

test("checksum: lowercase hex MD5 of the files concatenated in file_list order", () => {
  assert.equal(bundleChecksum([enc("ab"), enc("c")]), "900150983cd24fb0d6963f7d28e17f72"); // MD5("abc")
  assert.equal(bundleChecksum([enc("c"), enc("ab")]), md5hex("cab"), "order matters");
  assert.equal(bundleChecksum([]), "d41d8cd98f00b204e9800998ecf8427e", "no files: MD5 of nothing");
});

test("signature: base64 RSA PKCS#1 v1.5 over SHA-256 of the same bytes, both key formats", () => {
  const keys = makeKeys();
  const parts = [enc("plugin-one"), enc("plugin-two")];
  const mine = signBundle(parts, parsePrivateKey(keys.privatePkcs1Pem, "key.pem"));
  const independent = createSign("sha256").update("plugin-oneplugin-two").sign(keys.privateKey).toString("base64");
  assert.equal(mine, independent, "PKCS#1 v1.5 is deterministic, so both must be identical");
  assert.equal(signBundle(parts, parsePrivateKey(keys.privatePem, "key.pem")), independent, "PKCS#8 key");

  const manifest =
    parseManifest({ file_list: ["a", "b"], checksum: md5hex("plugin-oneplugin-two"), signature: mine }, "m")
      .manifest;
  verifyBundle(manifest, parts, parsePublicKey(keys.publicPem, "pub.pem"));
  verifyBundle(manifest, parts, parsePublicKey(keys.publicPkcs1Pem, "pub.pem"));
  assert.throws(
    () => verifyBundle(manifest, [enc("plugin-one"), enc("plugin-twO")], parsePublicKey(keys.publicPem, "p")),
    /checksum mismatch/,
  );
  const other = makeKeys();
  assert.throws(() => verifyBundle(manifest, parts, parsePublicKey(other.publicPem, "p")), /bad signature/);
});

test("verify: Tyk's rules for when a signature is needed", () => {
  const keys = makeKeys();
  const pub = parsePublicKey(keys.publicPem, "pub.pem");
  const parts = [enc("x")];
  const unsigned = parseManifest({ checksum: md5hex("x") }, "m").manifest;
  verifyBundle(unsigned, parts); // no key: no signature needed
  const junk = parseManifest({ checksum: md5hex("x"), signature: "not base64 at all!" }, "m").manifest;
  verifyBundle(junk, parts); // no key: the signature is not looked at, as in Tyk
  assert.throws(
    () => verifyBundle(unsigned, parts, pub),
    (e: unknown) => e instanceof VerifyError && /not signed/.test(e.message),
  );
  assert.throws(() => verifyBundle(junk, parts, pub), /not valid base64/);
  // Tyk checks "signed?" before the checksum: an unsigned bundle with a wrong checksum is reported as unsigned.
  const both = parseManifest({ checksum: "0".repeat(32) }, "m").manifest;
  assert.throws(() => verifyBundle(both, parts, pub), /not signed/);
  assert.throws(() => verifyBundle(parseManifest({}, "m").manifest, parts), /has no checksum/);
});

test("keys: PEM types other than Tyk's are refused with the file named", () => {
  const keys = makeKeys();
  assert.throws(
    () => parsePublicKey(keys.privatePem, "pub.pem"),
    /pub\.pem: expected a "PUBLIC KEY" or "RSA PUBLIC KEY" PEM block, found "PRIVATE KEY"/,
  );
  assert.throws(() => parsePublicKey("hello", "pub.pem"), /pub\.pem: no PEM public key found/);
  assert.throws(
    () => parsePrivateKey(keys.publicPem, "k.pem"),
    /k\.pem: expected a "PRIVATE KEY" or "RSA PRIVATE KEY"/,
  );
  assert.throws(
    () => parsePublicKey("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "pub.pem"),
    /pub\.pem: not a valid PUBLIC KEY/,
  );
});

test("bundleUrl: joined as Go's path.Join, like Tyk", () => {
  const cases: Array<[string, string, string]> = [
    ["http://mybundles:8000/abc", "FooBarBundle.zip", "http://mybundles:8000/abc/FooBarBundle.zip"],
    ["http://h/abc/", "b.zip", "http://h/abc/b.zip"],
    ["http://h", "b.zip", "http://h/b.zip"],
    ["http://h//a//", "/b.zip", "http://h/a/b.zip"],
    ["https://h/x?sig=1", "b.zip", "https://h/x/b.zip?sig=1"],
    ["http://h/a/b", "../c.zip", "http://h/a/c.zip"],
    ["http://h/a", "../../../c.zip", "http://h/c.zip"],
    ["http://h/a", "my bundle#1.zip", "http://h/a/my%20bundle%231.zip"],
    ["http://h/a", "dir/b.zip/", "http://h/a/dir/b.zip"],
  ];
  for (const [base, name, want] of cases) assert.equal(bundleUrl(base, name).href, want, `${base} + ${name}`);
});

test("bundleDir: <middleware>/bundles/<md5 hex of the name>", () => {
  assert.equal(bundleDir("/opt/mw", "FooBarBundle.zip"), join("/opt/mw", "bundles", md5hex("FooBarBundle.zip")));
  assert.match(bundleDir("/m", "x"), /\/m\/bundles\/[0-9a-f]{32}$/);
});
