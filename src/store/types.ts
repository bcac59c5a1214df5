// Tyk's session (key) object and the storage interface behind it. Field names and JSON types are Tyk's
// (user.SessionState): a number where Go has float64, an integer where Go has int/int64 (Go refuses 1.5 there), and
// maps keyed by user data (access_rights, meta_data, oauth_keys) parse to null-prototype objects that keep every key
// as data (config/records.ts). Objects are loose, so fields we do not model round-trip untouched.
import { z } from "zod";
import { dataRecord } from "../config/records.ts";

const num = z.number().optional();
const int = z.number().int().optional();
const str = z.string().optional();
const bool = z.boolean().optional();
// Go writes a nil slice, map or pointer as null.
const strings = z.array(z.string()).nullable().optional();

/** Tyk's apidef.RateLimitSmoothing (a pointer in Go: null when unset). */
const smoothingSchema = z.looseObject({ enabled: bool, threshold: int, trigger: num, step: int, delay: int })
  .nullable()
  .optional();

/** Per-API rate limit and quota (user.APILimit); an entry whose numbers are all 0 counts as "not set". */
export const apiLimitSchema = z.looseObject({
  rate: num,
  per: num,
  smoothing: smoothingSchema,
  throttle_interval: num,
  throttle_retry_limit: int,
  max_query_depth: int,
  quota_max: int,
  quota_renews: int,
  quota_remaining: int,
  quota_renewal_rate: int,
});

/** One API a key may call (user.AccessDefinition). */
export const accessDefinitionSchema = z.looseObject({
  api_id: str,
  api_name: str,
  versions: strings,
  allowed_urls: z.array(z.looseObject({ url: z.string(), methods: strings })).nullable().optional(),
  // Tyk before 5.x wrote `"limit": null` for "no per-API limit".
  limit: apiLimitSchema.nullable().optional(),
  disable_introspection: bool,
  allowance_scope: str,
});

export const sessionStateSchema = z.looseObject({
  last_check: int,
  allowance: num,
  rate: num,
  per: num,
  throttle_interval: num,
  throttle_retry_limit: int,
  max_query_depth: int,
  /** RFC 3339 time, as Go writes a time.Time. */
  date_created: z.iso.datetime({ offset: true }).nullable().optional(),
  /** Unix seconds; 0 (or absent) = never. */
  expires: int,
  /** -1 (or any value <= 0) = unlimited. */
  quota_max: int,
  /** Unix seconds when the current quota period ends. */
  quota_renews: int,
  quota_remaining: int,
  /** Seconds a quota period lasts; <= 0 = the quota never renews. */
  quota_renewal_rate: int,
  /** Keyed by API id. */
  access_rights: dataRecord(accessDefinitionSchema).nullable().optional(),
  org_id: str,
  oauth_client_id: str,
  oauth_keys: dataRecord(z.string()).nullable().optional(),
  certificate: str,
  mtls_static_certificate_bindings: strings,
  basic_auth_data: z.looseObject({ password: str, hash_type: str }).optional(),
  jwt_data: z.looseObject({ secret: str }).optional(),
  hmac_enabled: bool,
  enable_http_signature_validation: bool,
  hmac_string: str,
  rsa_certificate_id: str,
  is_inactive: bool,
  apply_policy_id: str,
  apply_policies: strings,
  data_expires: int,
  monitor: z.looseObject({ trigger_limits: z.array(z.number()).nullable().optional() }).optional(),
  enable_detail_recording: bool,
  enable_detailed_recording: bool,
  meta_data: dataRecord(z.unknown()).nullable().optional(),
  tags: strings,
  alias: str,
  /** Unix seconds as a string; Tyk's in-memory rate limiter keys buckets on it. */
  last_updated: str,
  id_extractor_deadline: int,
  session_lifetime: int,
  post_expiry_action: str,
  post_expiry_grace_period: int,
  smoothing: smoothingSchema,
});

export type ApiLimit = z.infer<typeof apiLimitSchema>;
export type AccessDefinition = z.infer<typeof accessDefinitionSchema>;
export type SessionState = z.infer<typeof sessionStateSchema>;

/** How a key argument is to be read. */
export interface KeyLookup {
  /**
   * The key given is already Tyk's key hash (the key API's `?hashed=true`), so it is not hashed again. Only
   * meaningful while hash_keys is on; the API answers 400 otherwise, as Tyk does.
   */
  hashed?: boolean;
}

export interface RateLimitHit {
  allowed: boolean;
  /** Hits in the window, this one included (refused hits count too, as in Tyk); capped at `limit + 1`. */
  count: number;
  /** Milliseconds until the window has room again, as Tyk's sliding log computes it (0 while room remains). */
  resetMs: number;
}

export interface QuotaConsumption {
  allowed: boolean;
  /** Requests left in this period (0 once exceeded). */
  remaining: number;
  /** When the period ends (ms since epoch); `nowMs` for a quota that never renews, as Tyk reports it. */
  renewsAtMs: number;
}

export interface KeyStore {
  /** Sessions are stored under Tyk's storage key for the key: "apikey-" + (hash_keys ? hash(key) : key). */
  getSession(key: string, lookup?: KeyLookup): Promise<SessionState | undefined>;
  /**
   * Stores the session as given (no TTL). An `expires` in the past does not remove it: Tyk keeps such keys readable
   * through its API and its auth answers 401 "Key has expired, please renew" (see isSessionExpired).
   */
  setSession(key: string, session: SessionState, lookup?: KeyLookup): Promise<void>;
  /** True when a session was removed. */
  deleteSession(key: string, lookup?: KeyLookup): Promise<boolean>;
  /** Stored key names (hashes while hash_keys is on) that start with `filter`. */
  listKeys(filter?: string): Promise<string[]>;
  /**
   * Atomically record one request against a rolling window of `windowMs` ending at `nowMs` (Tyk's Redis sliding
   * log: every hit is logged, refused ones included, and a hit is refused when `limit` hits are already in the
   * window). `bucket` is the full storage key (see rateLimitStorageKey).
   */
  rateLimitHit(bucket: string, limit: number, windowMs: number, nowMs: number): Promise<RateLimitHit>;
  /**
   * Atomically count one request against a quota of `max` per period of `renewalSeconds`. A period starts with the
   * first request after the previous one ended; `renewalSeconds` <= 0 means the quota never renews. `bucket` is the
   * full storage key (see quotaStorageKey).
   */
  quotaConsume(bucket: string, max: number, renewalSeconds: number, nowMs: number): Promise<QuotaConsumption>;
  /** Requests counted in the current quota period, or undefined when none is running (Tyk's key detail reads it). */
  quotaUsed(bucket: string, nowMs: number): Promise<number | undefined>;
  /** Ends the current quota period (Tyk resets quotas when a key is created or updated without suppress_reset). */
  resetQuota(bucket: string): Promise<void>;
  close(): Promise<void>;
}
