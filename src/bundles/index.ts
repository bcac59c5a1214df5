// Tyk plugin bundles (an API definition's custom_middleware_bundle): fetched from <bundle_base_url>/<name>, checked,
// unpacked to <middleware_path>/bundles/<md5 hex of name>/, and reused from there on later loads, as Tyk does.
// Differences from Tyk, each on purpose: a copy already on disk is verified again before use (Tyk only checks that
// the directory exists) and downloaded afresh when it fails; hostile archives are refused (see unzip.ts); nothing
// is written until the bundle has been verified, and then atomically.
import { readFileSync } from "node:fs";
import { readFile, realpath, stat } from "node:fs/promises";
import { createHash, type KeyObject } from "node:crypto";
import { isAbsolute, join, posix, sep } from "node:path";
import { ConfigError } from "../config/validate.ts";
import { download, DownloadError, redactUrl } from "./download.ts";
import {
  type BundleManifest,
  type BundleMiddleware,
  canonicalPath,
  MANIFEST_FILE,
  mapMiddlewarePaths,
  parseManifestText,
} from "./manifest.ts";
import {
  ArchiveError,
  type ArchiveLimits,
  discardDir,
  extractAtomically,
  openBundle,
  type OpenedBundle,
} from "./unzip.ts";
import { parsePublicKey, verifyBundle, VerifyError } from "./verify.ts";

export type { BundleManifest, BundleMiddleware } from "./manifest.ts";

/** Where progress goes (a pino logger fits). */
export interface BundleLog {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
}

export interface BundleOptions {
  /** tyk.conf bundle_base_url. */
  baseUrl: string;
  /** Absolute; bundles go to <middlewarePath>/bundles/<md5 hex of the bundle name>/. */
  middlewarePath: string;
  /** tyk.conf public_key_path ("" = none): when set, bundles must be signed with the matching private key. */
  publicKeyPath?: string;
  /** tyk.conf bundle_insecure_skip_verify: accept any TLS certificate from the bundle server. */
  insecureSkipVerify?: boolean;
  /** tyk.conf enable_bundle_downloader. Default true; when false, only bundles already on disk are used (as Tyk). */
  enableDownloader?: boolean;
  /** Per download attempt, default 30000. */
  timeoutMs?: number;
  /** Default 3, exponential backoff from 200 ms. */
  retries?: number;
  /** Download and unpacked size cap, default 256 MiB. */
  maxBytes?: number;
  /** Default 1000. */
  maxEntries?: number;
  log?: BundleLog;
}

export interface LoadedBundle {
  dir: string;
  manifest: BundleManifest;
  /** custom_middleware with every plugin path made absolute inside dir. */
  customMiddleware: BundleMiddleware;
  fromCache: boolean;
}

/** A bundle that cannot be used. The message names the bundle and says why, in words an operator can act on. */
export class BundleError extends Error {
  override readonly name = "BundleError";
  constructor(readonly bundle: string, reason: string) {
    super(`bundle ${JSON.stringify(bundle)}: ${reason}`);
  }
}

const DEFAULTS = { timeoutMs: 30_000, retries: 3, maxBytes: 256 * 1024 * 1024, maxEntries: 1000 };

/** <middlewarePath>/bundles/<lowercase hex MD5 of the name>: Tyk's getBundleDestPath. */
export function bundleDir(middlewarePath: string, name: string): string {
  return join(middlewarePath, "bundles", createHash("md5").update(name).digest("hex"));
}

/**
 * The bundle's URL as Tyk builds it: the base URL with `path.Join(basePath, name)` as its path, so slashes are
 * collapsed, "." and ".." resolved, a trailing slash dropped, and the base's query kept. Throws on a bad base URL.
 */
export function bundleUrl(baseUrl: string, name: string): URL {
  const url = new URL(baseUrl);
  let path = posix.join(url.pathname === "" ? "/" : url.pathname, name);
  if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  url.pathname = path;
  return url;
}

// Loads of the same bundle with the same key share one download, so concurrent callers never race in this process.
const inflight = new Map<string, Promise<LoadedBundle>>();

/**
 * Makes the bundle `name` usable: the verified copy in its directory if there is one, else downloaded, verified
 * and unpacked there. Throws BundleError.
 */
export async function loadBundle(name: string, opts: BundleOptions): Promise<LoadedBundle> {
  if (name === "") throw new BundleError(name, "the bundle name is empty");
  if (!isAbsolute(opts.middlewarePath)) {
    throw new BundleError(name, `middleware path ${JSON.stringify(opts.middlewarePath)} must be absolute`);
  }
  const dir = bundleDir(opts.middlewarePath, name);
  const key = `${dir}\0${opts.publicKeyPath ?? ""}`;
  let pending = inflight.get(key);
  if (!pending) {
    pending = load(name, dir, opts).finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  return await pending;
}

type Cached = { state: "absent" } | { state: "stale"; reason: string } | { state: "ok"; manifest: BundleManifest };

async function load(name: string, dir: string, opts: BundleOptions): Promise<LoadedBundle> {
  const fail = (reason: string) => new BundleError(name, reason);
  // Tyk refuses bundles without a base URL even when a copy is on disk; so do we, so a conf behaves the same in both.
  if (opts.baseUrl === "") throw fail("bundle_base_url is not set in tyk.conf, so plugin bundles cannot be used");
  let url: URL;
  try {
    url = bundleUrl(opts.baseUrl, name);
  } catch {
    throw fail(`bundle_base_url ${JSON.stringify(opts.baseUrl)} in tyk.conf is not a valid URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw fail(`bundle_base_url must be an http:// or https:// URL, got ${JSON.stringify(opts.baseUrl)}`);
  }
  const limits: ArchiveLimits = {
    maxBytes: opts.maxBytes ?? DEFAULTS.maxBytes,
    maxEntries: opts.maxEntries ?? DEFAULTS.maxEntries,
  };
  const publicKey = readPublicKey(name, opts.publicKeyPath ?? "");

  const cached = await readCached(dir, publicKey, limits);
  if (cached.state === "ok") return loaded(dir, cached.manifest, true);
  if (cached.state === "stale") {
    opts.log?.warn({ bundle: name, dir, reason: cached.reason }, "bundle on disk is not usable; fetching it again");
  }
  if (opts.enableDownloader === false) {
    const where = cached.state === "stale"
      ? `the copy in ${dir} is not usable (${cached.reason})`
      : `it is not in ${dir}`;
    throw fail(`${where}, and enable_bundle_downloader is false in tyk.conf`);
  }

  opts.log?.info({ bundle: name, url: redactUrl(url) }, "fetching bundle");
  let data: Uint8Array;
  try {
    data = await download(url, {
      timeoutMs: opts.timeoutMs ?? DEFAULTS.timeoutMs,
      retries: opts.retries ?? DEFAULTS.retries,
      maxBytes: limits.maxBytes,
      insecureSkipVerify: opts.insecureSkipVerify ?? false,
      onRetry: (r) => opts.log?.warn({ bundle: name, ...r }, "bundle download failed; retrying"),
    });
  } catch (err) {
    if (err instanceof DownloadError) throw fail(`download failed: ${err.message}`);
    throw err;
  }

  let opened: OpenedBundle;
  try {
    opened = openBundle(data, limits, name);
    verifyBundle(opened.manifest, opened.parts, publicKey);
  } catch (err) {
    if (err instanceof ArchiveError || err instanceof VerifyError || err instanceof ConfigError) {
      throw fail(`refused: ${err.message}`);
    }
    throw err;
  }
  if (opened.unknownFields.length > 0) {
    opts.log?.warn({ bundle: name, fields: opened.unknownFields }, "manifest.json fields that Tyk ignores; ignored");
  }

  try {
    // Another process may install the same bundle meanwhile: a verified copy of theirs is as good as ours.
    for (let round = 0; round < 2; round++) {
      if ((await extractAtomically(opened.contents, dir)) === "installed") return loaded(dir, opened.manifest, false);
      const existing = await readCached(dir, publicKey, limits);
      if (existing.state === "ok") return loaded(dir, existing.manifest, false);
      await discardDir(dir);
    }
  } catch (err) {
    if (err instanceof ArchiveError) throw fail(`refused: ${err.message}`);
    throw fail(`cannot unpack into ${dir}: ${(err as Error).message}`);
  }
  throw fail(`cannot unpack into ${dir}: something else keeps replacing it`);
}

function readPublicKey(name: string, path: string): KeyObject | undefined {
  if (path === "") return undefined;
  let pem: string;
  try {
    pem = readFileSync(path, "utf8");
  } catch (err) {
    throw new BundleError(name, `cannot read public_key_path ${path}: ${(err as Error).message}`);
  }
  try {
    return parsePublicKey(pem, `public_key_path ${path}`);
  } catch (err) {
    throw new BundleError(name, (err as Error).message);
  }
}

/** The copy in `dir`, checked exactly like a fresh download (checksum, and signature when a key is set). */
async function readCached(dir: string, publicKey: KeyObject | undefined, limits: ArchiveLimits): Promise<Cached> {
  let root: string;
  try {
    root = await realpath(dir);
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === "ENOENT" ? { state: "absent" } : { state: "stale", reason: (err as Error).message };
  }
  try {
    const { manifest } = parseManifestText(await readFile(join(root, MANIFEST_FILE), "utf8"), join(dir, MANIFEST_FILE));
    const parts: Uint8Array[] = [];
    let total = 0;
    for (const listed of manifest.file_list) {
      const file = await realpath(join(root, canonicalPath(listed)));
      if (!file.startsWith(root + sep)) {
        return { state: "stale", reason: `${listed} leads outside the bundle directory` };
      }
      const st = await stat(file);
      total += st.size;
      if (!st.isFile()) return { state: "stale", reason: `${listed} is not a file` };
      if (total > limits.maxBytes) return { state: "stale", reason: `over the limit of ${limits.maxBytes} bytes` };
      parts.push(await readFile(file));
    }
    verifyBundle(manifest, parts, publicKey);
    return { state: "ok", manifest };
  } catch (err) {
    const fsError = typeof (err as { code?: unknown }).code === "string";
    if (err instanceof ConfigError || err instanceof VerifyError || fsError) {
      return { state: "stale", reason: (err as Error).message };
    }
    throw err;
  }
}

function loaded(dir: string, manifest: BundleManifest, fromCache: boolean): LoadedBundle {
  const customMiddleware = mapMiddlewarePaths(manifest.custom_middleware, (p) => join(dir, canonicalPath(p)));
  return { dir, manifest, customMiddleware, fromCache };
}
