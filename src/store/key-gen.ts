// Key generation as Tyk's key API does it (gateway generateToken -> storage.GenerateToken).
import { Buffer } from "node:buffer";
import { randomUUID } from "node:crypto";
import { isHashAlgorithm } from "./key-hash.ts";

/**
 * A new key for `orgId`, or the stored form of a custom key (`POST /tyk/keys/{keyId}` passes the custom name).
 *
 * - `keyId` loses a leading `orgId` (Tyk trims it so a custom key never carries the org twice); when empty, a random
 *   UUID v4 in lowercase hex without dashes is used.
 * - `hashKeyFunction` is Tyk's `hash_key_function` setting. Empty: the legacy key `orgId + keyId`. Otherwise the
 *   token is standard base64 of `{"org":"<orgId>","id":"<keyId>","h":"<algo>"}` (written verbatim, without JSON
 *   escaping, exactly as Tyk's Sprintf does); a name Tyk does not know becomes "murmur64", as in Tyk.
 */
export function generateToken(orgId: string, keyId = "", hashKeyFunction = ""): string {
  let id = orgId !== "" && keyId.startsWith(orgId) ? keyId.slice(orgId.length) : keyId;
  if (id === "") id = randomUUID().replaceAll("-", "");
  if (hashKeyFunction === "") return orgId + id;
  const algo = isHashAlgorithm(hashKeyFunction) ? hashKeyFunction : "murmur64";
  return Buffer.from(`{"org":"${orgId}","id":"${id}","h":"${algo}"}`, "utf8").toString("base64");
}
