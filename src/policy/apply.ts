// Applying security policies to a session, following Tyk's policy service (internal/policy/apply.go): the session's
// own values are cleared where a policy takes over, then each policy named in apply_policies (or apply_policy_id)
// contributes its access rights, rate limit, quota and complexity (all of them, or only its partitions), its tags and
// meta_data, and its is_inactive. The result is the session the gateway enforces. GraphQL, MCP and JSON-RPC rights and
// per-endpoint rate limits are not merged (this gateway enforces none of them).
import { dataMap, ownValue } from "../config/records.ts";
import { isEmptyLimit } from "../store/session.ts";
import type { AccessDefinition, ApiLimit, SessionState } from "../store/types.ts";
import { type Policy, policySchema } from "./schema.ts";

/** Where policies are found: by the org they belong to and their id (Tyk's scoped policy ids). */
export interface PolicyLookup {
  get(orgId: string, id: string): Policy | undefined;
}

/**
 * The session to enforce; with `error` (Tyk's text), why the policies could not be applied, and the session as far as
 * they were (Tyk changes the session in place before it fails: callers that go on regardless, as Tyk's key read
 * does, see that).
 */
export interface ApplyResult {
  session: SessionState;
  error?: string;
}

/** Tyk's refusal of per_api policies mixed with partitioned ones. */
const MIXED_PARTITIONS = "cannot apply multiple policies when some have per_api set and some are partitioned";

type AllowedUrl = NonNullable<AccessDefinition["allowed_urls"]>[number];

/**
 * Tyk's checkAndApplyTrialPeriod, for a key being created: a policy's key_expires_in (seconds) makes the key expire
 * that long from `nowS`. Policies are looked up under the key's org_id; the last one setting it wins.
 */
export function applyKeyExpiry(session: SessionState, lookup: PolicyLookup, nowS: number): void {
  for (const id of policyIds(session)) {
    const expiresIn = lookup.get(session.org_id ?? "", id)?.key_expires_in ?? 0;
    if (expiresIn > 0) session.expires = nowS + expiresIn;
  }
}

/**
 * Tyk's SessionState.GetCustomPolicies: policies a plugin put in the session itself (meta_data.policies, an array
 * of policy objects, as SetCustomPolicies writes it). Undefined when there are none or one entry is not a policy:
 * Tyk then ignores them and applies the policies the session names. An empty array counts as none: in Go only an
 * empty []interface{} would be an empty list of custom policies (and leave the key with no policy at all), while
 * an empty slice of anything else is ignored, and JSON does not tell the two apart.
 */
function customPolicies(session: SessionState): Policy[] | undefined {
  const raw = session.meta_data ? ownValue(session.meta_data, "policies") : undefined;
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const out: Policy[] = [];
  for (const p of raw) {
    const parsed = policySchema.safeParse(p);
    if (!parsed.success) return undefined;
    out.push(parsed.data);
  }
  return out;
}

/** Custom policies as Tyk's policy store of their own: by id, of the org being applied only. */
function customLookup(policies: Policy[]): PolicyLookup {
  const byId = new Map(policies.map((p) => [p.id ?? "", p]));
  return { get: (orgId, id) => (byId.get(id)?.org_id ?? "") === orgId ? byId.get(id) : undefined };
}

/** The ids of the policies applyPolicies applies to the session: its custom policies', else those it names. */
export function policiesToApply(session: SessionState): string[] {
  return customPolicies(session)?.map((p) => p.id ?? "") ?? policyIds(session);
}

/** Tyk's SessionState.PolicyIDs: apply_policies, else apply_policy_id, else none. */
export function policyIds(session: SessionState): string[] {
  if (session.apply_policies && session.apply_policies.length > 0) return session.apply_policies;
  return session.apply_policy_id ? [session.apply_policy_id] : [];
}

/**
 * Applies the session's policies as Tyk's policy service does, returning a new session (the given one is not
 * changed; it is returned as is when there is nothing to apply or normalise). `apiOrgId` is the org_id of the API
 * the session is used on: policies are looked up under the session's org_id, or this one when the session has none,
 * and must belong to it. Without it (the Gateway API creating a key) only the session's org_id is used.
 *
 * Custom policies (meta_data.policies, see customPolicies) take the place of the named ones, as in Tyk.
 *
 * Without policies Tyk still normalises: meta_data becomes an empty map (so a Go hook can write to it), and each
 * access right with its own limit gets that API's id as allowance_scope (its own rate-limit and quota counters).
 */
export function applyPolicies(session: SessionState, policies: PolicyLookup, apiOrgId?: string): ApplyResult {
  // As Tyk: custom policies in the session, when there are any, instead of the ones it names.
  const custom = customPolicies(session);
  const ids = custom ? custom.map((p) => p.id ?? "") : policyIds(session);
  const lookup = custom ? customLookup(custom) : policies;
  if (ids.length === 0) return { session: normaliseWithoutPolicies(session) };
  const orgId = session.org_id || apiOrgId || "";
  const s: SessionState = { ...session, meta_data: dataMap(Object.entries(session.meta_data ?? {})) };
  clearSession(s, ids, lookup, orgId);

  const state: ApplyState = {
    rights: new Map(),
    setBy: new Map(),
    didQuota: new Set(),
    didRateLimit: new Set(),
    didAcl: new Set(),
    didComplexity: new Set(),
    didPerApi: false,
    didPartition: false,
  };
  // Only the policies decide whether a key that uses them is active.
  let inactive = false;
  const tags = new Set<string>();
  for (const id of ids) {
    const policy = lookup.get(orgId, id);
    if (!policy) {
      // One missing policy among several is skipped; a lone one refuses the key.
      if (ids.length > 1) continue;
      return { error: `policy not found: ${JSON.stringify(id)}`, session: s };
    }
    if (apiOrgId !== undefined && (policy.org_id ?? "") !== apiOrgId) {
      return { error: "attempting to apply policy from different organisation to key, skipping", session: s };
    }
    const parts = policy.partitions ?? {};
    if (parts.per_api && partitioned(policy)) {
      return { error: `cannot apply policy ${id} which has per_api and any of partitions set`, session: s };
    }
    const error = parts.per_api ? applyPerApi(policy, id, s, state) : applyPartitions(policy, id, s, state);
    if (error) return { error, session: s };
    inactive ||= !!policy.is_inactive;
    for (const tag of policy.tags ?? []) tags.add(tag);
    for (const [k, v] of Object.entries(policy.meta_data ?? {})) s.meta_data![k] = v;
    if ((policy.last_updated ?? "") > (s.last_updated ?? "")) s.last_updated = policy.last_updated;
    if (policy.post_expiry_action) s.post_expiry_action = policy.post_expiry_action;
    if (policy.post_expiry_grace_period) s.post_expiry_grace_period = policy.post_expiry_grace_period;
  }
  s.is_inactive = inactive;
  for (const tag of session.tags ?? []) tags.add(tag);
  s.tags = [...tags];

  // A policy's access right inherits what no policy set for it from the session's (policy-made) values.
  const distinctAcl = new Set([...state.setBy.values()].filter((by) => by !== ""));
  for (const [apiId, access] of state.rights) {
    if (!state.didAcl.has(apiId)) {
      state.rights.delete(apiId);
      continue;
    }
    const { limit } = access;
    if (!state.didRateLimit.has(apiId)) {
      limit.rate = s.rate;
      limit.per = s.per;
      limit.smoothing = s.smoothing;
      limit.throttle_interval = s.throttle_interval;
      limit.throttle_retry_limit = s.throttle_retry_limit;
    }
    if (!state.didComplexity.has(apiId)) limit.max_query_depth = s.max_query_depth;
    if (!state.didQuota.has(apiId)) {
      limit.quota_max = s.quota_max;
      limit.quota_renewal_rate = s.quota_renewal_rate;
      limit.quota_renews = s.quota_renews;
    }
    // Access rights set by different policies count their requests apart.
    const by = state.setBy.get(apiId) ?? "";
    if (distinctAcl.size > 1 && !access.allowance_scope && by !== "") access.allowance_scope = by;
  }
  updateSessionRootVars(s, state);
  if (state.didAcl.size > 0) s.access_rights = dataMap(state.rights);
  if (state.rights.size === 0) return { error: "key has no valid policies to be applied", session: s };
  return { session: s };
}

interface ApplyState {
  /** Access rights being built, by API id, in the order policies name them. */
  rights: Map<string, AccessDefinition & { limit: ApiLimit }>;
  /** Which policy set each API's access right (Tyk's APILimit.SetBy, never written out). */
  setBy: Map<string, string>;
  didQuota: Set<string>;
  didRateLimit: Set<string>;
  didAcl: Set<string>;
  didComplexity: Set<string>;
  didPerApi: boolean;
  didPartition: boolean;
}

/** Tyk's PolicyPartitions.Enabled: any of quota, rate_limit, acl, complexity. */
function partitioned(policy: Policy): boolean {
  const p = policy.partitions ?? {};
  return !!(p.quota || p.rate_limit || p.acl || p.complexity);
}

/** The session with Tyk's normalisation when it names no policy; the same object when that changes nothing. */
function normaliseWithoutPolicies(session: SessionState): SessionState {
  const rights = session.access_rights;
  const unscoped = rights ? Object.keys(rights).filter((id) => !isEmptyLimit(rights[id].limit) && rights[id].allowance_scope !== id) : [];
  if (session.meta_data != null && unscoped.length === 0) return session;
  const out: SessionState = { ...session, meta_data: session.meta_data ?? dataMap() };
  if (rights && unscoped.length > 0) {
    out.access_rights = dataMap(Object.entries(rights).map(([id, a]) => [id, unscoped.includes(id) ? { ...a, allowance_scope: id } : a]));
  }
  return out;
}

/**
 * Tyk's ClearSession: a policy takes over the session-level values of what it covers (all of them, or its
 * partitions), so that a higher value already on the key does not win over it. Stops at the first missing policy.
 */
function clearSession(s: SessionState, ids: string[], lookup: PolicyLookup, orgId: string): void {
  for (const id of ids) {
    const policy = lookup.get(orgId, id);
    if (!policy) return;
    const p = policy.partitions ?? {};
    const all = !partitioned(policy);
    if (p.quota || all) {
      s.quota_max = 0;
      s.quota_remaining = 0;
    }
    if (p.rate_limit || all) {
      s.rate = 0;
      s.per = 0;
      s.smoothing = null;
      s.throttle_retry_limit = 0;
      s.throttle_interval = 0;
    }
    if (p.complexity || all) s.max_query_depth = 0;
  }
}

/** A per_api policy: each of its access rights brings its own limit (or the policy's), counted on its own. */
function applyPerApi(policy: Policy, id: string, s: SessionState, state: ApplyState): string | undefined {
  if (state.didPartition) return MIXED_PARTITIONS;
  const rights = Object.entries(policy.access_rights ?? {});
  for (const [apiId, given] of rights) {
    let access = copyAccess(given);
    let scope = apiId;
    if (isEmptyLimit(given.limit)) {
      scope = id;
      access.limit = policyLimit(policy);
    }
    access.allowance_scope = scope;
    let setBy = scope;
    const current = ownValue(s.access_rights, apiId);
    if (current && !isEmptyLimit(current.limit)) access.limit.quota_renews = current.limit!.quota_renews;
    if (current?.disable_introspection) access.disable_introspection = true;
    const earlier = state.rights.get(apiId);
    if (earlier) {
      const merged = applyApiLevelLimits(access, earlier);
      access = merged.access;
      if (merged.updated) setBy = state.setBy.get(apiId) ?? "";
    }
    state.rights.set(apiId, access);
    state.setBy.set(apiId, setBy);
    for (const did of [state.didAcl, state.didQuota, state.didRateLimit, state.didComplexity]) did.add(apiId);
  }
  if (rights.length > 0) state.didPerApi = true;
  return undefined;
}

/** A policy applied as a whole, or only its partitions (acl, quota, rate_limit, complexity). */
function applyPartitions(policy: Policy, id: string, s: SessionState, state: ApplyState): string | undefined {
  const usePartitions = partitioned(policy);
  if (usePartitions && state.didPerApi) return MIXED_PARTITIONS;
  const p = policy.partitions ?? {};
  const rights = Object.entries(policy.access_rights ?? {});
  // Every API the policy names is known before any is merged, so an ACL from a later policy is honoured.
  for (const [apiId] of rights) if (!state.rights.has(apiId)) state.rights.set(apiId, { limit: {} });
  for (const [apiId, given] of rights) {
    const access = copyAccess(state.rights.get(apiId)!);
    if (!usePartitions || p.acl) {
      state.didAcl.add(apiId);
      if (given.disable_introspection) access.disable_introspection = true;
      access.versions = appendMissing(access.versions ?? [], given.versions ?? []);
      access.allowed_urls = mergeAllowedUrls(access.allowed_urls ?? [], given.allowed_urls ?? []);
      state.setBy.set(apiId, id);
    }
    const limit = access.limit;
    if (!usePartitions || p.quota) {
      state.didQuota.add(apiId);
      if (greaterThan(policy.quota_max ?? 0, limit.quota_max ?? 0)) {
        limit.quota_max = policy.quota_max;
        if (greaterThan(policy.quota_max ?? 0, s.quota_max ?? 0)) s.quota_max = policy.quota_max;
      }
      if ((policy.quota_renewal_rate ?? 0) > (limit.quota_renewal_rate ?? 0)) {
        limit.quota_renewal_rate = policy.quota_renewal_rate;
        if ((policy.quota_renewal_rate ?? 0) > (s.quota_renewal_rate ?? 0)) s.quota_renewal_rate = policy.quota_renewal_rate;
      }
    }
    if (!usePartitions || p.rate_limit) {
      state.didRateLimit.add(apiId);
      applyRateLimits(s, policy, limit);
      if ((policy.throttle_retry_limit ?? 0) > (limit.throttle_retry_limit ?? 0)) {
        limit.throttle_retry_limit = policy.throttle_retry_limit;
        if ((policy.throttle_retry_limit ?? 0) > (s.throttle_retry_limit ?? 0)) s.throttle_retry_limit = policy.throttle_retry_limit;
      }
      if ((policy.throttle_interval ?? 0) > (limit.throttle_interval ?? 0)) {
        limit.throttle_interval = policy.throttle_interval;
        if ((policy.throttle_interval ?? 0) > (s.throttle_interval ?? 0)) s.throttle_interval = policy.throttle_interval;
      }
    }
    if (!usePartitions || p.complexity) {
      state.didComplexity.add(apiId);
      if (greaterThan(policy.max_query_depth ?? 0, limit.max_query_depth ?? 0)) {
        limit.max_query_depth = policy.max_query_depth;
        if (greaterThan(policy.max_query_depth ?? 0, s.max_query_depth ?? 0)) s.max_query_depth = policy.max_query_depth;
      }
    }
    // The key's current quota period carries over.
    const current = ownValue(s.access_rights, apiId);
    if (current && !isEmptyLimit(current.limit)) limit.quota_renews = current.limit!.quota_renews;
    state.rights.set(apiId, access);
  }
  // A policy without access rights (a "master" policy) sets the session-level values directly.
  if (rights.length === 0) {
    if (!usePartitions || p.rate_limit) {
      s.rate = policy.rate;
      s.per = policy.per;
      s.smoothing = policy.smoothing;
      s.throttle_interval = policy.throttle_interval;
      s.throttle_retry_limit = policy.throttle_retry_limit;
    }
    if (!usePartitions || p.complexity) s.max_query_depth = policy.max_query_depth;
    if (!usePartitions || p.quota) {
      s.quota_max = policy.quota_max;
      s.quota_renewal_rate = policy.quota_renewal_rate;
    }
  }
  s.hmac_enabled ||= policy.hmac_enabled;
  s.enable_http_signature_validation ||= policy.enable_http_signature_validation;
  state.didPartition = usePartitions;
  return undefined;
}

/**
 * Tyk's ApplyRateLimits: the policy's rate is a floor. It replaces the access right's (and the session's) when those
 * have none or allow fewer requests (a longer time between two requests).
 */
function applyRateLimits(s: SessionState, policy: Policy, limit: ApiLimit): void {
  if (!policy.rate || !policy.per) return;
  const policyGap = duration(policy);
  if (!limit.rate || !limit.per || duration(limit) > policyGap) {
    limit.rate = policy.rate;
    limit.per = policy.per;
    limit.smoothing = policy.smoothing;
  }
  if (!s.rate || !s.per || duration(s) > policyGap) {
    s.rate = policy.rate;
    s.per = policy.per;
    s.smoothing = policy.smoothing;
  }
}

/**
 * Tyk's applyAPILevelLimits, for an API named by two per_api policies: the higher rate and quota win; when the
 * earlier one's win, its counters (allowance scope) are kept.
 */
function applyApiLevelLimits(
  access: AccessDefinition & { limit: ApiLimit },
  earlier: AccessDefinition & { limit: ApiLimit },
): { access: AccessDefinition & { limit: ApiLimit }; updated: boolean } {
  const limit = access.limit;
  const prev = earlier.limit;
  let updated = false;
  if (duration(limit) > duration(prev)) {
    limit.per = prev.per;
    limit.rate = prev.rate;
    limit.smoothing = prev.smoothing;
    updated = true;
  }
  if ((prev.quota_max ?? 0) !== (limit.quota_max ?? 0) && greaterThan(prev.quota_max ?? 0, limit.quota_max ?? 0)) {
    limit.quota_max = prev.quota_max;
    updated = true;
  }
  if (greaterThan(prev.quota_renewal_rate ?? 0, limit.quota_renewal_rate ?? 0)) limit.quota_renewal_rate = prev.quota_renewal_rate;
  if (limit.quota_max === -1) limit.quota_renewal_rate = 0;
  if (updated) access.allowance_scope = earlier.allowance_scope;
  return { access, updated };
}

/** Tyk's updateSessionRootVars: with policies covering a single API, the session-level values are that API's. */
function updateSessionRootVars(s: SessionState, state: ApplyState): void {
  if (state.didQuota.size !== 1 || state.didRateLimit.size !== 1 || state.didComplexity.size !== 1) return;
  for (const { limit } of state.rights.values()) {
    s.rate = limit.rate;
    s.per = limit.per;
    s.smoothing = limit.smoothing;
    s.quota_max = limit.quota_max;
    s.quota_renews = limit.quota_renews;
    s.quota_renewal_rate = limit.quota_renewal_rate;
    s.max_query_depth = limit.max_query_depth;
  }
}

/** A policy's own limit (Tyk's Policy.APILimit). */
function policyLimit(policy: Policy): ApiLimit {
  return {
    rate: policy.rate,
    per: policy.per,
    smoothing: policy.smoothing,
    quota_max: policy.quota_max,
    quota_renewal_rate: policy.quota_renewal_rate,
    throttle_interval: policy.throttle_interval,
    throttle_retry_limit: policy.throttle_retry_limit,
    max_query_depth: policy.max_query_depth,
  };
}

/** An access right with its own copies of what merging changes (limit, versions, allowed_urls). */
function copyAccess(a: AccessDefinition): AccessDefinition & { limit: ApiLimit } {
  return {
    ...a,
    limit: { ...(a.limit ?? {}) },
    ...(a.versions ? { versions: [...a.versions] } : {}),
    ...(a.allowed_urls ? { allowed_urls: a.allowed_urls.map((u) => ({ ...u, methods: u.methods ? [...u.methods] : u.methods })) } : {}),
  };
}

/** Tyk's RateLimit.Duration: seconds between two allowed requests; 0 when there is no rate limit. */
function duration(l: { rate?: number; per?: number }): number {
  const rate = l.rate ?? 0, per = l.per ?? 0;
  return rate <= 0 || per <= 0 ? 0 : per / rate;
}

/** Tyk's greaterThanInt64: -1 (unlimited) is the biggest value. */
function greaterThan(a: number, b: number): boolean {
  if (a === -1) return true;
  if (b === -1) return false;
  return a > b;
}

function appendMissing(into: string[], more: readonly string[]): string[] {
  for (const v of more) if (!into.includes(v)) into.push(v);
  return into;
}

/** Tyk's MergeAllowedURLs: one entry per URL pattern, in the order first seen, with the methods of all. */
function mergeAllowedUrls(a: readonly AllowedUrl[], b: readonly AllowedUrl[]): AllowedUrl[] | null {
  const merged = new Map<string, string[]>();
  for (const spec of [...a, ...b]) {
    const methods = merged.get(spec.url);
    if (methods) appendMissing(methods, spec.methods ?? []);
    else merged.set(spec.url, [...(spec.methods ?? [])]);
  }
  return merged.size === 0 ? null : [...merged].map(([url, methods]) => ({ url, methods }));
}
