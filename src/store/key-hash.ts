// Tyk-compatible API key hashing (Tyk's storage.HashStr). Every digest is written as lowercase hex, big-endian:
// murmur32 -> 8 chars, murmur64 -> 16 (the first half, h1, of MurmurHash3 x64_128), murmur128 -> 32 (h1 then h2),
// sha256 -> 64. MurmurHash3 is implemented here (seed 0 for keys) rather than taken from a dependency.
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";

export type HashAlgorithm = "murmur32" | "murmur64" | "murmur128" | "sha256";

/** The algorithm names Tyk knows; anything else makes Tyk fall back to murmur32 when hashing. */
export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ["murmur32", "murmur64", "murmur128", "sha256"];

export function isHashAlgorithm(name: string): name is HashAlgorithm {
  return (HASH_ALGORITHMS as readonly string[]).includes(name);
}

const utf8 = new TextEncoder();
// Strict standard base64 with padding, as Go's base64.StdEncoding requires (Buffer alone would also accept url-safe).
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The algorithm a Tyk token names for itself, or "" for any other key. Tokens that Tyk generates while
 * `hash_key_function` is set are base64 of `{"org":..,"id":..,"h":"<algo>"}`, so they start with "ey" (`{"`).
 */
export function tokenHashAlgo(token: string): string {
  if (!token.startsWith("ey") || !STD_BASE64.test(token)) return "";
  try {
    const meta: unknown = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
    if (typeof meta === "object" && meta !== null && "h" in meta && typeof meta.h === "string") return meta.h;
  } catch {
    // Not JSON: a legacy key that merely starts with "ey".
  }
  return "";
}

/**
 * Tyk's HashStr: `fn` wins when given; with "" the algorithm embedded in a base64-JSON token is used; unknown or
 * empty names hash with murmur32 (Tyk's legacy default).
 */
export function hashKey(key: string, fn: "" | HashAlgorithm): string {
  const algo = fn !== "" ? fn : tokenHashAlgo(key);
  const data = utf8.encode(key);
  switch (algo) {
    case "sha256":
      return createHash("sha256").update(data).digest("hex");
    case "murmur64":
      return hex64(murmur3x64_128(data)[0]);
    case "murmur128": {
      const [h1, h2] = murmur3x64_128(data);
      return hex64(h1) + hex64(h2);
    }
    default:
      return murmur3x86_32(data).toString(16).padStart(8, "0");
  }
}

function hex64(n: bigint): string {
  return n.toString(16).padStart(16, "0");
}

/** MurmurHash3 x86 32-bit. */
export function murmur3x86_32(data: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51, c2 = 0x1b873593;
  const n = data.length;
  const blocks = n - (n % 4);
  let h = seed >>> 0;
  for (let i = 0; i < blocks; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(rotl32(Math.imul(k, c1), 15), c2);
    h = rotl32(h ^ k, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  switch (n - blocks) {
    case 3:
      k ^= data[blocks + 2] << 16;
    // falls through
    case 2:
      k ^= data[blocks + 1] << 8;
    // falls through
    case 1:
      k ^= data[blocks];
      h ^= Math.imul(rotl32(Math.imul(k, c1), 15), c2);
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

// 64-bit lanes use BigInt for clarity; keys are short, so the cost per request stays in microseconds.
const MASK64 = (1n << 64n) - 1n;
const C1_64 = 0x87c37b91114253d5n, C2_64 = 0x4cf5ad432745937fn;

/** MurmurHash3 x64 128-bit, returned as its two 64-bit halves [h1, h2]. */
export function murmur3x64_128(data: Uint8Array, seed = 0): [bigint, bigint] {
  const n = data.length;
  const blocks = n - (n % 16);
  let h1 = BigInt(seed >>> 0), h2 = h1;
  for (let i = 0; i < blocks; i += 16) {
    h1 ^= mixK1(readLE64(data, i, 8));
    h1 = (rotl64(h1, 27n) + h2) & MASK64;
    h1 = (h1 * 5n + 0x52dce729n) & MASK64;
    h2 ^= mixK2(readLE64(data, i + 8, 8));
    h2 = (rotl64(h2, 31n) + h1) & MASK64;
    h2 = (h2 * 5n + 0x38495ab5n) & MASK64;
  }
  const tail = n - blocks;
  if (tail > 8) h2 ^= mixK2(readLE64(data, blocks + 8, tail - 8));
  if (tail > 0) h1 ^= mixK1(readLE64(data, blocks, Math.min(tail, 8)));
  h1 ^= BigInt(n);
  h2 ^= BigInt(n);
  h1 = (h1 + h2) & MASK64;
  h2 = (h2 + h1) & MASK64;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 = (h1 + h2) & MASK64;
  h2 = (h2 + h1) & MASK64;
  return [h1, h2];
}

function readLE64(data: Uint8Array, at: number, len: number): bigint {
  let k = 0n;
  for (let j = len - 1; j >= 0; j--) k = (k << 8n) | BigInt(data[at + j]);
  return k;
}

function mixK1(k: bigint): bigint {
  return (rotl64((k * C1_64) & MASK64, 31n) * C2_64) & MASK64;
}

function mixK2(k: bigint): bigint {
  return (rotl64((k * C2_64) & MASK64, 33n) * C1_64) & MASK64;
}

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK64;
}

function fmix64(k: bigint): bigint {
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & MASK64;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & MASK64;
  k ^= k >> 33n;
  return k;
}
