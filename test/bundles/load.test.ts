// loadBundle against a real HTTP(S) server on loopback: download, unpack, cache, signatures, retries, timeouts.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { BundleError, type BundleOptions, loadBundle } from "../../src/bundles/index.ts";
import { makeBundle, makeKeys, md5hex, serveBundles, tempDir, tree, writeFile } from "./helpers.ts";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

async function refused(p: Promise<unknown>, pattern: RegExp): Promise<BundleError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof BundleError, `expected a BundleError, got ${(err as Error).stack}`);
    assert.match(err.message, pattern);
    return err;
  }
  assert.fail(`expected a BundleError matching ${pattern}`);
}

const PLUGIN = new Uint8Array(4096).map((_, i) => (i * 7) % 256);

test("a good bundle downloads and unpacks to <middleware>/bundles/<md5(name)>/ with absolute plugin paths", async () => {
  const name = "FooBarBundle.zip";
  const zip = makeBundle({
    files: [["AddFooBarHeader.so", PLUGIN], ["lib/helper.so", "helper"]],
    customMiddleware: {
      driver: "goplugin",
      pre: [{ name: "Helper", path: "./lib/helper.so" }],
      post: [{ name: "AddFooBarHeader", path: "AddFooBarHeader.so" }],
      auth_check: { name: "Auth", path: "lib/helper.so" },
    },
  });
  const srv = await serveBundles({ [`/bundles/${name}`]: zip });
  try {
    const mw = tempDir();
    const b = await loadBundle(name, { baseUrl: srv.baseUrl, middlewarePath: mw });
    const dir = join(mw, "bundles", md5hex(name));
    assert.equal(b.dir, dir);
    assert.equal(b.fromCache, false);
    assert.deepEqual(readFileSync(join(dir, "AddFooBarHeader.so")), Buffer.from(PLUGIN));
    assert.equal(readFileSync(join(dir, "lib/helper.so"), "utf8"), "helper");
    assert.equal(b.customMiddleware.post[0].path, join(dir, "AddFooBarHeader.so"));
    assert.equal(b.customMiddleware.pre[0].path, join(dir, "lib/helper.so"));
    assert.equal(b.customMiddleware.auth_check?.path, join(dir, "lib/helper.so"));
    assert.equal(b.customMiddleware.driver, "goplugin");
    assert.equal(b.manifest.custom_middleware.post[0].path, "AddFooBarHeader.so", "the manifest stays as written");
    assert.equal(srv.hits(`/bundles/${name}`), 1);
    // Nothing else: no temp directories left behind.
    assert.deepEqual(tree(mw), [
      "bundles/",
      `bundles/${md5hex(name)}/`,
      `bundles/${md5hex(name)}/AddFooBarHeader.so`,
      `bundles/${md5hex(name)}/lib/`,
      `bundles/${md5hex(name)}/lib/helper.so`,
      `bundles/${md5hex(name)}/manifest.json`,
    ]);
  } finally {
    await srv.close();
  }
});

test("a bundle already unpacked is reused without downloading", async () => {
  const srv = await serveBundles({ "/bundles/b.zip": makeBundle({ files: [["AddFooBarHeader.so", PLUGIN]] }) });
  try {
    const opts = { baseUrl: srv.baseUrl, middlewarePath: tempDir() };
    const first = await loadBundle("b.zip", opts);
    const second = await loadBundle("b.zip", opts);
    assert.equal(first.fromCache, false);
    assert.equal(second.fromCache, true);
    assert.equal(second.dir, first.dir);
    assert.deepEqual(second.customMiddleware, first.customMiddleware);
    assert.equal(srv.hits("/bundles/b.zip"), 1, "the server is not asked again");
  } finally {
    await srv.close();
  }
});

test("a damaged copy on disk is fetched again, not used", async () => {
  const srv = await serveBundles({ "/bundles/b.zip": makeBundle({ files: [["AddFooBarHeader.so", PLUGIN]] }) });
  try {
    const warnings: string[] = [];
    const log = { info: () => {}, warn: (_f: Record<string, unknown>, msg: string) => void warnings.push(msg) };
    const opts = { baseUrl: srv.baseUrl, middlewarePath: tempDir(), log };
    const first = await loadBundle("b.zip", opts);
    writeFileSync(join(first.dir, "AddFooBarHeader.so"), "tampered");
    const again = await loadBundle("b.zip", opts);
    assert.equal(again.fromCache, false);
    assert.deepEqual(readFileSync(join(again.dir, "AddFooBarHeader.so")), Buffer.from(PLUGIN));
    assert.equal(srv.hits("/bundles/b.zip"), 2);
    assert.ok(warnings.some((w) => /not usable/.test(w)), warnings.join("; "));
  } finally {
    await srv.close();
  }
});

test("with enable_bundle_downloader off, only a copy on disk is used", async () => {
  const srv = await serveBundles({ "/bundles/b.zip": makeBundle({ files: [["AddFooBarHeader.so", PLUGIN]] }) });
  try {
    const mw = tempDir();
    await refused(
      loadBundle("b.zip", { baseUrl: srv.baseUrl, middlewarePath: mw, enableDownloader: false }),
      /not in .*enable_bundle_downloader is false/,
    );
    assert.equal(srv.hits("/bundles/b.zip"), 0);
    await loadBundle("b.zip", { baseUrl: srv.baseUrl, middlewarePath: mw });
    const b = await loadBundle("b.zip", { baseUrl: srv.baseUrl, middlewarePath: mw, enableDownloader: false });
    assert.equal(b.fromCache, true);
  } finally {
    await srv.close();
  }
});

test("a checksum mismatch is refused and nothing is written", async () => {
  const zip = makeBundle({ files: [["AddFooBarHeader.so", PLUGIN]], manifest: { checksum: md5hex("something else") } });
  const srv = await serveBundles({ "/bundles/b.zip": zip });
  try {
    const mw = tempDir();
    const e = await refused(loadBundle("b.zip", { baseUrl: srv.baseUrl, middlewarePath: mw }), /checksum mismatch/);
    assert.equal(e.bundle, "b.zip");
    assert.match(e.message, /^bundle "b\.zip": refused: /);
    assert.deepEqual(tree(mw), [], "nothing is written before the bundle is verified");
  } finally {
    await srv.close();
  }
});

test("signed bundles: accepted with the right key, refused with a wrong key or unsigned", async () => {
  const keys = makeKeys();
  const other = makeKeys();
  const files: Array<[string, Uint8Array]> = [["AddFooBarHeader.so", PLUGIN]];
  const srv = await serveBundles({
    "/bundles/signed.zip": makeBundle({ files, signWith: keys.privateKey }),
    "/bundles/other.zip": makeBundle({ files, signWith: other.privateKey }),
    "/bundles/unsigned.zip": makeBundle({ files }),
  });
  try {
    const mw = tempDir();
    const keyDir = tempDir();
    const opts = (pem: string): BundleOptions => ({
      baseUrl: srv.baseUrl,
      middlewarePath: mw,
      publicKeyPath: writeFile(keyDir, `pub-${Math.random()}.pem`, pem),
    });
    const ok = await loadBundle("signed.zip", opts(keys.publicPem));
    assert.equal(ok.manifest.signature.length > 0, true);
    await refused(
      loadBundle("other.zip", opts(keys.publicPem)),
      /bad signature: it does not verify with the key in public_key_path/,
    );
    await refused(loadBundle("unsigned.zip", opts(keys.publicPem)), /not signed, but public_key_path is set/);
    // An "RSA PUBLIC KEY" (PKCS#1) file works as well as a "PUBLIC KEY" one.
    const pkcs1 = await loadBundle("signed.zip", opts(keys.publicPkcs1Pem));
    assert.equal(pkcs1.fromCache, true, "and the copy on disk is verified against the key before reuse");
    // The cached copy is checked against the key configured now: a different key refuses it and the fresh download.
    await refused(loadBundle("signed.zip", opts(other.publicPem)), /bad signature/);
    // Without a key the signature is not required (unsigned loads), as in Tyk.
    await loadBundle("unsigned.zip", { baseUrl: srv.baseUrl, middlewarePath: mw });
    await refused(
      loadBundle("signed.zip", { ...opts(keys.publicPem), publicKeyPath: join(keyDir, "missing.pem") }),
      /cannot read public_key_path .*missing\.pem/,
    );
    assert.ok(!tree(mw).some((p) => p.includes(md5hex("other.zip"))), "a refused bundle leaves nothing behind");
  } finally {
    await srv.close();
  }
});

test("a 500 is retried with backoff, then the bundle loads", async () => {
  const zip = makeBundle({ files: [["AddFooBarHeader.so", PLUGIN]] });
  const srv = await serveBundles({
    "/bundles/b.zip": (_req, res, hit) => (hit <= 2 ? res.writeHead(500).end("oops") : res.writeHead(200).end(zip)),
  });
  try {
    const retries: number[] = [];
    const log = { info: () => {}, warn: (f: Record<string, unknown>) => void retries.push(f.delayMs as number) };
    const t0 = Date.now();
    const b = await loadBundle("b.zip", { baseUrl: srv.baseUrl, middlewarePath: tempDir(), log });
    assert.equal(b.fromCache, false);
    assert.equal(srv.hits("/bundles/b.zip"), 3);
    assert.deepEqual(retries, [200, 400], "exponential backoff from 200 ms");
    assert.ok(Date.now() - t0 >= 550, "the backoff was waited for");
  } finally {
    await srv.close();
  }
});

test("retries are bounded: persistent 500s give up after 1 + retries attempts", async () => {
  const srv = await serveBundles({ "/bundles/b.zip": (_req, res) => res.writeHead(503).end() });
  try {
    await refused(
      loadBundle("b.zip", { baseUrl: srv.baseUrl, middlewarePath: tempDir(), retries: 2 }),
      /download failed: GET http:\/\/127\.0\.0\.1:\d+\/bundles\/b\.zip: HTTP 503 .*gave up after 3 attempts/,
    );
    assert.equal(srv.hits("/bundles/b.zip"), 3);
  } finally {
    await srv.close();
  }
});

test("a 404 is not retried", async () => {
  const srv = await serveBundles({});
  try {
    const t0 = Date.now();
    await refused(
      loadBundle("missing.zip", { baseUrl: srv.baseUrl, middlewarePath: tempDir() }),
      /HTTP 404.*no bundle of that name/,
    );
    assert.equal(srv.hits("/bundles/missing.zip"), 1);
    assert.ok(Date.now() - t0 < 190, "no backoff was waited for");
  } finally {
    await srv.close();
  }
});

test("an attempt that gets no answer times out, and is retried", async () => {
  const srv = await serveBundles({ "/bundles/slow.zip": () => {} }); // never answers
  try {
    const t0 = Date.now();
    await refused(
      loadBundle("slow.zip", { baseUrl: srv.baseUrl, middlewarePath: tempDir(), timeoutMs: 150, retries: 1 }),
      /timed out: no complete answer within 150 ms .*gave up after 2 attempts/,
    );
    assert.equal(srv.hits("/bundles/slow.zip"), 2);
    assert.ok(Date.now() - t0 < 3000);
  } finally {
    await srv.close();
  }
});

test("a body that stalls half-way also times out", async () => {
  const srv = await serveBundles({
    "/bundles/stall.zip": (_req, res) => {
      res.writeHead(200, { "content-length": 1000 });
      res.write("PK partial");
    },
  });
  try {
    await refused(
      loadBundle("stall.zip", { baseUrl: srv.baseUrl, middlewarePath: tempDir(), timeoutMs: 150, retries: 0 }),
      /timed out/,
    );
  } finally {
    await srv.close();
  }
});

test("downloads over the size limit are refused without retrying", async () => {
  const big = makeBundle({ files: [["AddFooBarHeader.so", crypto.getRandomValues(new Uint8Array(64 * 1024))]] });
  const srv = await serveBundles({ "/bundles/big.zip": big });
  try {
    await refused(
      loadBundle("big.zip", { baseUrl: srv.baseUrl, middlewarePath: tempDir(), maxBytes: 16 * 1024 }),
      /bytes, over the limit of 16384/,
    );
    assert.equal(srv.hits("/bundles/big.zip"), 1);
  } finally {
    await srv.close();
  }
});

test("redirects are followed, as Go's HTTP client does", async () => {
  const zip = makeBundle({ files: [["AddFooBarHeader.so", PLUGIN]] });
  const srv = await serveBundles({
    "/bundles/moved.zip": (_req, res) => res.writeHead(302, { location: "/bundles/real.zip" }).end(),
    "/bundles/real.zip": zip,
  });
  try {
    const b = await loadBundle("moved.zip", { baseUrl: srv.baseUrl, middlewarePath: tempDir() });
    assert.equal(b.fromCache, false);
    assert.equal(srv.hits("/bundles/real.zip"), 1);
  } finally {
    await srv.close();
  }
});

test("concurrent loads of the same bundle share one download and agree", async () => {
  const zip = makeBundle({ files: [["AddFooBarHeader.so", PLUGIN]] });
  const srv = await serveBundles({
    "/bundles/b.zip": (_req, res) => setTimeout(() => res.writeHead(200).end(zip), 50),
  });
  try {
    const opts = { baseUrl: srv.baseUrl, middlewarePath: tempDir() };
    const all = await Promise.all(Array.from({ length: 8 }, () => loadBundle("b.zip", opts)));
    assert.equal(srv.hits("/bundles/b.zip"), 1);
    for (const b of all) assert.equal(b.dir, all[0].dir);
    assert.deepEqual(readFileSync(join(all[0].dir, "AddFooBarHeader.so")), Buffer.from(PLUGIN));
    assert.deepEqual(tree(opts.middlewarePath).filter((p) => p.includes(".tmp-")), []);
  } finally {
    await srv.close();
  }
});

test("configuration mistakes are reported in words an operator can act on", async () => {
  const mw = tempDir();
  await refused(loadBundle("b.zip", { baseUrl: "", middlewarePath: mw }), /bundle_base_url is not set in tyk\.conf/);
  await refused(
    loadBundle("b.zip", { baseUrl: "ftp://h/", middlewarePath: mw }),
    /must be an http:\/\/ or https:\/\/ URL/,
  );
  await refused(loadBundle("b.zip", { baseUrl: "not a url", middlewarePath: mw }), /is not a valid URL/);
  await refused(loadBundle("", { baseUrl: "http://127.0.0.1:1/", middlewarePath: mw }), /name is empty/);
  await refused(loadBundle("b.zip", { baseUrl: "http://127.0.0.1:1/", middlewarePath: "rel" }), /must be absolute/);
  await refused(
    loadBundle("b.zip", { baseUrl: "http://127.0.0.1:1/", middlewarePath: mw, retries: 0 }),
    /connection refused/,
  );
});

test("https: an untrusted certificate is refused unless bundle_insecure_skip_verify", async () => {
  const zip = makeBundle({ files: [["AddFooBarHeader.so", PLUGIN]] });
  let hits = 0;
  const server = createHttpsServer(
    { key: readFileSync(join(FIXTURES, "tls-key.pem")), cert: readFileSync(join(FIXTURES, "tls-cert.pem")) },
    (_req, res) => {
      hits++;
      res.writeHead(200).end(zip);
    },
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const mw = tempDir();
    await refused(
      loadBundle("b.zip", { baseUrl, middlewarePath: mw }),
      /TLS certificate not accepted.*bundle_insecure_skip_verify/,
    );
    const b = await loadBundle("b.zip", { baseUrl, middlewarePath: mw, insecureSkipVerify: true });
    assert.equal(b.fromCache, false);
    assert.equal(hits, 1, "the refused attempt was not retried and never reached the handler");
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
