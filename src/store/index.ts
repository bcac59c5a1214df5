// The key store: Tyk sessions, key hashing and generation, and the counters behind rate limits and quotas.
export { generateToken } from "./key-gen.ts";
export { HASH_ALGORITHMS, type HashAlgorithm, hashKey, isHashAlgorithm, tokenHashAlgo } from "./key-hash.ts";
export {
  keyHash,
  QUOTA_KEY_PREFIX,
  quotaStorageKey,
  RATE_LIMIT_KEY_PREFIX,
  rateLimitStorageKey,
  SESSION_KEY_PREFIX,
  sessionStorageKey,
} from "./keys.ts";
export { MemoryKeyStore, type MemoryKeyStoreOptions } from "./memory.ts";
export { isSessionExpired, parseSession } from "./session.ts";
export type {
  AccessDefinition,
  ApiLimit,
  KeyLookup,
  KeyStore,
  QuotaConsumption,
  RateLimitHit,
  SessionState,
} from "./types.ts";
