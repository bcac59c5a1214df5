// Storage key names, shared by every KeyStore so that an embedded store and Redis use Tyk's exact names:
//   apikey-<key or hash>                    session JSON
//   quota-[<allowance_scope>-]<key or hash>    quota counter
//   rate-limit-[<allowance_scope>-]<key or hash>  sliding log
import { hashKey } from "./key-hash.ts";
import type { KeyLookup } from "./types.ts";

export const SESSION_KEY_PREFIX = "apikey-";
export const QUOTA_KEY_PREFIX = "quota-";
export const RATE_LIMIT_KEY_PREFIX = "rate-limit-";

/** Tyk's storage.HashKey: the key's hash while hash_keys is on, else the key itself. Limits are keyed on it. */
export function keyHash(key: string, hashKeys: boolean): string {
  return hashKeys ? hashKey(key, "") : key;
}

export function sessionStorageKey(key: string, hashKeys: boolean, lookup?: KeyLookup): string {
  return SESSION_KEY_PREFIX + (lookup?.hashed ? key : keyHash(key, hashKeys));
}

export function quotaStorageKey(keyHashOrKey: string, allowanceScope = ""): string {
  return QUOTA_KEY_PREFIX + (allowanceScope === "" ? "" : allowanceScope + "-") + keyHashOrKey;
}

/** Tyk joins the parts with "-" after trimming dashes from each and skipping empty ones (internal/rate.Prefix). */
export function rateLimitStorageKey(keyHashOrKey: string, allowanceScope = ""): string {
  return [RATE_LIMIT_KEY_PREFIX, allowanceScope, keyHashOrKey]
    .map((p) => p.replace(/^-+|-+$/g, ""))
    .filter((p) => p !== "")
    .join("-");
}
