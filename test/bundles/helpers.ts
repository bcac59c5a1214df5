// Shared by the bundle tests: scratch directories, bundles built independently of src/bundles (checksums and
// signatures computed here with node:crypto directly), and a real HTTP server on loopback that serves them.
import { createHash, createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import process from "node:process";
import { strToU8, type Zippable, zipSync } from "fflate";

// One scratch root per test file, removed when the process ends. Bun emits process "exit"; `deno test` does not, but
// dispatches "unload" on globalThis.
const SCRATCH = mkdtempSync(join(tmpdir(), "gw-bundles-"));
const removeScratch = () => rmSync(SCRATCH, { recursive: true, force: true });
process.on("exit", removeScratch);
globalThis.addEventListener?.("unload", removeScratch);

export function tempDir(): string {
  return mkdtempSync(join(SCRATCH, "t-"));
}

/** Every file and directory under `dir`, relative, sorted ("a/", "a/b"). */
export function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const abs = join(d, e.name);
      const rel = relative(dir, abs);
      if (e.isDirectory()) {
        out.push(`${rel}/`);
        walk(abs);
      } else out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}

export function md5hex(data: string | Uint8Array): string {
  return createHash("md5").update(data).digest("hex");
}

export interface Keys {
  privateKey: KeyObject;
  /** SPKI ("PUBLIC KEY"). */
  publicPem: string;
  /** PKCS#1 ("RSA PUBLIC KEY"). */
  publicPkcs1Pem: string;
  /** PKCS#8 ("PRIVATE KEY"). */
  privatePem: string;
  /** PKCS#1 ("RSA PRIVATE KEY"). */
  privatePkcs1Pem: string;
}

export function makeKeys(): Keys {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKey,
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    publicPkcs1Pem: publicKey.export({ type: "pkcs1", format: "pem" }).toString(),
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    privatePkcs1Pem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
  };
}

export function writeFile(dir: string, name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
  return path;
}

const bytes = (v: string | Uint8Array) => (typeof v === "string" ? strToU8(v) : v);

export interface BundleSpec {
  /** file_list, in order, with contents. */
  files: Array<[string, string | Uint8Array]>;
  customMiddleware?: Record<string, unknown>;
  /** Sign with this key (RSA PKCS#1 v1.5, SHA-256 over the concatenated files, as Tyk's bundler). */
  signWith?: KeyObject;
  /** Overrides of manifest fields, after checksum and signature are computed. */
  manifest?: Record<string, unknown>;
  /** Extra zip entries, written as given. */
  extra?: Zippable;
}

export const GO_PLUGIN_MW = {
  driver: "goplugin",
  post: [{ name: "AddFooBarHeader", path: "AddFooBarHeader.so" }],
};

/** A bundle zip built the way Tyk's `tyk bundle build` does, without using src/bundles. */
export function makeBundle(spec: BundleSpec): Uint8Array {
  const concat = Buffer.concat(spec.files.map(([, c]) => bytes(c)));
  let signature = "";
  if (spec.signWith) signature = createSign("sha256").update(concat).sign(spec.signWith).toString("base64");
  const manifest = {
    file_list: spec.files.map(([n]) => n),
    custom_middleware: spec.customMiddleware ?? GO_PLUGIN_MW,
    checksum: md5hex(concat),
    signature,
    ...spec.manifest,
  };
  const zip: Zippable = {};
  for (const [name, content] of spec.files) zip[name] = bytes(content);
  Object.assign(zip, spec.extra);
  zip["manifest.json"] = strToU8(JSON.stringify(manifest));
  return zipSync(zip);
}

export type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

export interface BundleServer {
  /** Base URL, e.g. http://127.0.0.1:1234/bundles/ */
  baseUrl: string;
  /** Requests per URL path. */
  hits(path: string): number;
  close(): Promise<void>;
}

/** Serves `routes` (URL path -> zip bytes, or a handler given the 1-based hit count) on 127.0.0.1 under /bundles/. */
export async function serveBundles(routes: Record<string, Uint8Array | Handler>): Promise<BundleServer> {
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const hit = (counts.get(path) ?? 0) + 1;
    counts.set(path, hit);
    const route = routes[path];
    if (route === undefined) {
      res.writeHead(404).end("not found");
    } else if (route instanceof Uint8Array) {
      res.writeHead(200, { "content-type": "application/zip", "content-length": route.length }).end(route);
    } else route(req, res, hit);
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/bundles/`,
    hits: (path) => counts.get(path) ?? 0,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy(); // a test may leave a request hanging on purpose
        server.close(() => r());
      }),
  };
}
