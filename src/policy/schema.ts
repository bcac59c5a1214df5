// Tyk's security policy (user.Policy) as it is written in policy files and sent to /tyk/policies. Field names and JSON
// types are Tyk's: a number where Go has float64, an integer where Go has int/int64, and maps keyed by user data
// (access_rights, meta_data) parse to null-prototype objects (config/records.ts). Objects are loose, so fields this
// gateway does not use (GraphQL and MCP rights, _id) are kept and written back unchanged.
import { z } from "zod";
import { compileGranularPattern } from "./granular.ts";
import { dataRecord } from "../config/records.ts";
import { accessDefinitionSchema, apiLimitSchema } from "../store/types.ts";

const num = z.number().optional();
const int = z.number().int().optional();
const bool = z.boolean().optional();
// Go writes a nil slice, map or pointer as null.
const strings = z.array(z.string()).nullable().optional();

/** Tyk's user.PolicyPartitions: which parts of the policy apply; none set means all of them. */
export const partitionsSchema = z.looseObject({
  quota: bool,
  rate_limit: bool,
  complexity: bool,
  acl: bool,
  per_api: bool,
});

/** An allowed_urls entry (user.AccessSpec) whose `url` must be a pattern Tyk can compile (Go's regexp, RE2). */
const allowedUrlSchema = z.looseObject({
  url: z.string().superRefine((url, ctx) => {
    const bad = compileGranularPattern(url);
    if (typeof bad === "string") ctx.addIssue({ code: "custom", message: bad });
  }),
  methods: strings,
});

/** A policy's access right: Tyk's DBAccessDefinition, an access definition whose `limit` may be null. */
export const policyAccessSchema = accessDefinitionSchema.extend({
  allowed_urls: z.array(allowedUrlSchema).nullable().optional(),
});

export const policySchema = z.looseObject({
  /** The policy's id: what keys name in apply_policies. */
  id: z.string().optional(),
  name: z.string().optional(),
  /** Policies are looked up by org and id: a key (or, when it has none, the API) must have this org_id. */
  org_id: z.string().optional(),
  rate: num,
  per: num,
  quota_max: int,
  quota_renewal_rate: int,
  throttle_interval: num,
  throttle_retry_limit: int,
  max_query_depth: int,
  /** Keyed by API id. */
  access_rights: dataRecord(policyAccessSchema).nullable().optional(),
  hmac_enabled: bool,
  enable_http_signature_validation: bool,
  active: bool,
  /** Every key using an inactive policy is refused (403 "Key is inactive, please renew"). */
  is_inactive: bool,
  tags: strings,
  /** Seconds: a key created with this policy expires that long after its creation. */
  key_expires_in: int,
  post_expiry_action: z.string().optional(),
  post_expiry_grace_period: int,
  partitions: partitionsSchema.nullable().optional(),
  last_updated: z.string().optional(),
  meta_data: dataRecord(z.unknown()).nullable().optional(),
  smoothing: apiLimitSchema.shape.smoothing,
});

export type Policy = z.infer<typeof policySchema>;
export type PolicyPartitions = z.infer<typeof partitionsSchema>;
