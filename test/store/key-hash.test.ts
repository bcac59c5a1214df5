// Key hashing against MurmurHash3 reference vectors (spaolacci/murmur3, the library Tyk's fork comes from) and
// against values printed by our Go implementation (shim-go/tyk/internal/keyhash) for the same inputs.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { test } from "node:test";
import { hashKey, murmur3x64_128, murmur3x86_32, tokenHashAlgo } from "../../src/store/key-hash.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

// [seed, x86_32, x64_128 h1, x64_128 h2, input]
const REFERENCE: Array<[number, number, bigint, bigint, string]> = [
  [0x00, 0x00000000, 0x0000000000000000n, 0x0000000000000000n, ""],
  [0x00, 0x248bfa47, 0xcbd8a7b341bd9b02n, 0x5b1e906a48ae1d19n, "hello"],
  [0x00, 0x149bbb7f, 0x342fac623a5ebc8en, 0x4cdcbc079642414dn, "hello, world"],
  [0x00, 0xe31e8a70, 0xb89e5988b737affcn, 0x664fc2950231b2cbn, "19 Jan 2038 at 3:14:07 AM"],
  [0x00, 0xd5c48bfc, 0xcd99481f9ee902c9n, 0x695da1a38987b6e7n, "The quick brown fox jumps over the lazy dog."],
  [0x01, 0x514e28b7, 0x4610abe56eff5cb5n, 0x51622daa78f83583n, ""],
  [0x01, 0xbb4abcad, 0xa78ddff5adae8d10n, 0x128900ef20900135n, "hello"],
  [0x01, 0x6f5cb2e9, 0x8b95f808840725c6n, 0x1597ed5422bd493bn, "hello, world"],
  [0x2a, 0x087fcd5c, 0xf02aa77dfa1b8523n, 0xd1016610da11cbb9n, ""],
  [0x2a, 0xc02d1434, 0x74f33c659cda5af7n, 0x4ec7a891caf316f0n, "The quick brown fox jumps over the lazy dog."],
];

test("MurmurHash3 x86_32 matches the reference vectors", () => {
  for (const [seed, h32, , , s] of REFERENCE) {
    assert.equal(murmur3x86_32(bytes(s), seed), h32, `${JSON.stringify(s)} seed ${seed}`);
  }
});

test("MurmurHash3 x64_128 matches the reference vectors", () => {
  for (const [seed, , h1, h2, s] of REFERENCE) {
    assert.deepEqual(murmur3x64_128(bytes(s), seed), [h1, h2], `${JSON.stringify(s)} seed ${seed}`);
  }
});

// Prefixes of one string, so every tail length (1..3 for x86_32, 1..15 for x64_128) and block count is covered.
// [length, murmur32, murmur128] from our Go implementation.
const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const BY_LENGTH: Array<[number, string, string]> = [
  [1, "3c2569b2", "85555565f6597889e6b53a48510e895a"],
  [2, "9bbfd75f", "938b11ea16ed1b2ee65ea7019b52d4ad"],
  [3, "b3dd93fa", "b4963f3f3fad78673ba2744126ca2d52"],
  [4, "43ed676a", "b87bb7d64656cd4ff2003e886073e875"],
  [5, "e89b9af6", "2036d091f496bbb8c5c7eea04bcfec8c"],
  [6, "6181c085", "e47d86bfaca3bf55b07109993321845c"],
  [7, "883c9b06", "a6cd2f9fc09ee4991c3aa23ab155bbb6"],
  [8, "49ddccc4", "cc8a0ab037ef8c0248890d60eb6940a1"],
  [9, "421406f0", "0547c0cff13c796479b53df5b741e033"],
  [10, "88927791", "b6c15b0d772f8c99a24d85dc8c651ac9"],
  [11, "5f3b25df", "a895d0b8df789d02bb7c31e2455ae771"],
  [12, "a36f3d27", "8ef39bb1e67ae1941f9e303272ff621c"],
  [13, "f212161b", "1648288da7c0fa732e657bff0de7cc7f"],
  [14, "f8526df0", "91d094a7f5c375e0ee096027d26a3324"],
  [15, "9d09f7d2", "8abe2451890c2ffb6a548c2d9c962a61"],
  [16, "e76291ed", "c4ca3ca3224cb7234333d695b331eb1a"],
  [17, "b6655e4a", "7564747f88bda657ecda499da1110de4"],
  [18, "c219a894", "77f08cec907f8a5071d4a8295a00c76b"],
  [19, "85bf5bc1", "1590bc23de9e6d88a68a4d2ab66f9474"],
  [20, "be1c719a", "310b3726f937e2f19609f42a5716d04b"],
  [21, "5a19e7ab", "c9d568e279ffc93cd7cc48c1e99b3cfb"],
  [22, "70b63cc7", "9588e330f4abf85646db1f74a8f4a96d"],
  [23, "a51e4d1c", "40480aba9d4f238e83beb7eb1c54e9ff"],
  [24, "b0f93939", "6494960fd4de2cf7790fcfa35321f208"],
  [25, "3883561a", "71e7cba42f07960fedee1581399ebddb"],
  [26, "a34e036d", "749c9d7e516f4aa9e9ad9c89b6a7d529"],
  [27, "b1ca8496", "7e2ddc8410dde045453ccf6ab10c9336"],
  [28, "77fa0967", "8c064e06c8bb7f610b41090b415ea9a8"],
  [29, "1dab887c", "31efcff15e52947efbfd84c95e94e310"],
  [30, "97e14548", "41681900ec9b3341bf2286ef153218c9"],
  [31, "bb459ce9", "4bf06228635658a8bedbd26090f9ef7a"],
  [32, "d14e3386", "16a127b539e20ae3edcb0722a1febf68"],
  [33, "6f876ab7", "eea5f18b80c9608823bd1bc4319c6f3a"],
];

test("murmur32 / murmur64 / murmur128 agree with the Go implementation for every tail length", () => {
  for (const [n, m32, m128] of BY_LENGTH) {
    const key = ALPHABET.slice(0, n);
    assert.equal(hashKey(key, "murmur32"), m32, `murmur32 of ${key}`);
    assert.equal(hashKey(key, "murmur128"), m128, `murmur128 of ${key}`);
    // Tyk's murmur64 is the first half (h1) of x64_128.
    assert.equal(hashKey(key, "murmur64"), m128.slice(0, 16), `murmur64 of ${key}`);
  }
});

// Keys as Tyk sees them, with every algorithm; values from the Go implementation.
const GO_VALUES: Array<{ key: string; m32: string; m64: string; m128: string; sha256: string }> = [
  {
    key: "",
    m32: "00000000",
    m64: "0000000000000000",
    m128: "00000000000000000000000000000000",
    sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  },
  {
    key: "hello",
    m32: "248bfa47",
    m64: "cbd8a7b341bd9b02",
    m128: "cbd8a7b341bd9b025b1e906a48ae1d19",
    sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
  },
  {
    // A legacy key: org id + uuid hex.
    key: "5e9d9544a1dcd60001d0ed20e2c0e9ee9e7a4c0a9b1a8d5c",
    m32: "b4e9db38",
    m64: "0e2f3182f0280be6",
    m128: "0e2f3182f0280be6a86fb11829a3dd01",
    sha256: "915620b0292a75a209552fb3a8d82af5ee6d53df30dacaba07b5cbde7c918561",
  },
  {
    // Multi-byte UTF-8 is hashed as its bytes, as Go does.
    key: "ключ-ünïcode-🔑",
    m32: "ae6e1e96",
    m64: "94a048ff598df5c0",
    m128: "94a048ff598df5c053a4136637264800",
    sha256: "f9a9ed4b35b771b8a172bddcd84a584ce64193def811d97f0c045d819589e197",
  },
];

test("hashKey gives Tyk's hex format for each algorithm", () => {
  for (const { key, m32, m64, m128, sha256 } of GO_VALUES) {
    assert.equal(hashKey(key, "murmur32"), m32);
    assert.equal(hashKey(key, "murmur64"), m64);
    assert.equal(hashKey(key, "murmur128"), m128);
    assert.equal(hashKey(key, "sha256"), sha256);
    // A plain key names no algorithm: Tyk's default, murmur32.
    assert.equal(hashKey(key, ""), m32);
  }
});

const SHA_TOKEN = "eyJvcmciOiI1ZTlkOTU0NGExZGNkNjAwMDFkMGVkMjAiLCJpZCI6ImFiYzEyMyIsImgiOiJzaGEyNTYifQ==";
const M128_TOKEN = "eyJvcmciOiJvcmcxIiwiaWQiOiJmMDBkY2FmZSIsImgiOiJtdXJtdXIxMjgifQ==";

test("a base64-JSON token is hashed with the algorithm it names, unless one is given", () => {
  assert.equal(tokenHashAlgo(SHA_TOKEN), "sha256");
  assert.equal(hashKey(SHA_TOKEN, ""), "1ef504a83481438d016f8c94242325f43ee90a5e6fa1201eefe184bdf786467f");
  assert.equal(hashKey(SHA_TOKEN, "murmur32"), "ad02052e");
  assert.equal(hashKey(SHA_TOKEN, "murmur64"), "f619d53f6f8a3d10");
  assert.equal(tokenHashAlgo(M128_TOKEN), "murmur128");
  assert.equal(hashKey(M128_TOKEN, ""), "ed8302652f33623eb60c52d004385049");
});

test("keys that only look like tokens, or name an unknown algorithm, hash with murmur32", () => {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const unknown = b64(`{"org":"o","id":"x","h":"md5"}`);
  assert.equal(tokenHashAlgo(unknown), "md5");
  assert.equal(hashKey(unknown, ""), hashKey(unknown, "murmur32"));
  // Not base64 (Go's strict decoder fails), not JSON, unpadded: no algorithm.
  for (const key of ["eyNOTBASE64!", b64("{not json"), SHA_TOKEN.replace(/=+$/, "")]) {
    assert.equal(tokenHashAlgo(key), "", key);
    assert.equal(hashKey(key, ""), hashKey(key, "murmur32"), key);
  }
  assert.equal(tokenHashAlgo(b64(`{"h":"sha256"}`)), "sha256");
});
