// Bundle checksum and signature, byte for byte as Tyk computes them (gateway/coprocess_bundle.go, cli/bundler):
// the bytes are the contents of the manifest's file_list files concatenated in file_list order (manifest.json itself
// is not covered). `checksum` is the lowercase hex MD5 of those bytes; `signature` is base64 (standard alphabet,
// padded) of an RSASSA-PKCS1-v1_5 signature with SHA-256 over them, which is what Tyk's goverify Sign/VerifyHash do.
import { createHash, createPrivateKey, createPublicKey, createSign, createVerify, type KeyObject } from "node:crypto";
import type { BundleManifest } from "./manifest.ts";

/** A bundle that fails verification; the message says why in an operator's words. */
export class VerifyError extends Error {
  override readonly name = "VerifyError";
}

/** Lowercase hex MD5 of the parts, concatenated in order: Tyk's `checksum`. */
export function bundleChecksum(parts: Iterable<Uint8Array>): string {
  const h = createHash("md5");
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

/** Tyk's `signature` of the parts: base64 of RSA PKCS#1 v1.5 over their SHA-256. */
export function signBundle(parts: Iterable<Uint8Array>, privateKey: KeyObject): string {
  const s = createSign("sha256");
  for (const p of parts) s.update(p);
  return s.sign(privateKey).toString("base64");
}

function pemLabel(pem: string): string | undefined {
  return /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
}

function requireRsa(key: KeyObject, source: string): KeyObject {
  if (key.asymmetricKeyType !== "rsa") {
    throw new VerifyError(
      `${source}: the key is ${key.asymmetricKeyType ?? "not asymmetric"}, but bundles are signed with RSA`,
    );
  }
  return key;
}

/**
 * Reads a PEM public key as Tyk does (goverify): a "PUBLIC KEY" (PKIX/SPKI) or "RSA PUBLIC KEY" (PKCS#1) block,
 * RSA only. `source` names where it came from, for the error message.
 */
export function parsePublicKey(pem: string, source: string): KeyObject {
  const label = pemLabel(pem);
  if (label !== "PUBLIC KEY" && label !== "RSA PUBLIC KEY") {
    throw new VerifyError(
      label
        ? `${source}: expected a "PUBLIC KEY" or "RSA PUBLIC KEY" PEM block, found "${label}"`
        : `${source}: no PEM public key found`,
    );
  }
  try {
    return requireRsa(createPublicKey({ key: pem, format: "pem" }), source);
  } catch (err) {
    if (err instanceof VerifyError) throw err;
    throw new VerifyError(`${source}: not a valid ${label}: ${(err as Error).message}`);
  }
}

/** Reads a PEM RSA private key: PKCS#1 ("RSA PRIVATE KEY") or unencrypted PKCS#8 ("PRIVATE KEY"), as Tyk's bundler. */
export function parsePrivateKey(pem: string, source: string): KeyObject {
  const label = pemLabel(pem);
  if (label !== "PRIVATE KEY" && label !== "RSA PRIVATE KEY") {
    throw new VerifyError(
      label
        ? `${source}: expected a "PRIVATE KEY" or "RSA PRIVATE KEY" PEM block, found "${label}"`
        : `${source}: no PEM private key found`,
    );
  }
  try {
    return requireRsa(createPrivateKey({ key: pem, format: "pem" }), source);
  } catch (err) {
    if (err instanceof VerifyError) throw err;
    throw new VerifyError(`${source}: not a valid ${label}: ${(err as Error).message}`);
  }
}

// Go's base64.StdEncoding accepts only the padded standard alphabet; Buffer.from would silently skip anything else.
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Checks a bundle as Tyk does after downloading one: with a public key, an unsigned bundle is refused before
 * anything else; then the checksum must match; then, with a key, the signature must verify. Without a key the
 * signature is not looked at. `parts` are the file_list files' contents in file_list order. Throws VerifyError.
 */
export function verifyBundle(manifest: BundleManifest, parts: readonly Uint8Array[], publicKey?: KeyObject): void {
  if (publicKey && manifest.signature === "") {
    throw new VerifyError(
      "the bundle is not signed, but public_key_path is set in tyk.conf: sign it (gateway bundle build -k <private key>)",
    );
  }
  const checksum = bundleChecksum(parts);
  if (manifest.checksum === "") {
    throw new VerifyError(
      `manifest.json has no checksum (expected "${checksum}"): build the bundle with \`gateway bundle build\``,
    );
  }
  if (checksum !== manifest.checksum) {
    throw new VerifyError(
      `checksum mismatch: manifest.json says "${manifest.checksum}", the files in file_list hash to "${checksum}" ` +
        "(the bundle was changed after it was built, or is damaged)",
    );
  }
  if (!publicKey) return;
  if (!STD_BASE64.test(manifest.signature)) throw new VerifyError("manifest.json signature is not valid base64");
  const v = createVerify("sha256");
  for (const p of parts) v.update(p);
  if (!v.verify(publicKey, Buffer.from(manifest.signature, "base64"))) {
    throw new VerifyError(
      "bad signature: it does not verify with the key in public_key_path (signed with another key, or the files were changed)",
    );
  }
}
