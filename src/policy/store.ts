// The security policies being enforced, loaded as Tyk OSS loads them (gateway/policy.go, server.go syncPolicies) and
// replaced as a whole on reload: with `policies.policy_path`, every *.json file of that directory is one policy (its
// `id` field names it); otherwise, with `policies.policy_record_name`, one JSON object maps policy ids to policies.
// Each policy is validated like a definition; a bad one is logged (file and field) and skipped, the others load.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { PoliciesConf, ResolvedPaths } from "../config/tyk-conf.ts";
import { ConfigError, parseConfig, readJsonFile } from "../config/validate.ts";
import type { PolicyLookup } from "./apply.ts";
import { type Policy, policySchema } from "./schema.ts";

/** Where policies come from (tyk.conf `policies`). */
export type PolicySource =
  | { kind: "dir"; path: string }
  | { kind: "file"; path: string }
  | { kind: "none" };

/**
 * Tyk OSS's choice (syncPolicies): policy_path when set, else policy_record_name when set, else none. The Dashboard
 * ("service") and MDCB ("rpc") sources are not supported: logged, and no policies are loaded.
 */
export function policySource(
  conf: Pick<PoliciesConf, "policy_source">,
  paths: Pick<ResolvedPaths, "policy_path" | "policy_record_name">,
  log?: PolicyStoreLog,
): PolicySource {
  if (conf.policy_source === "service" || conf.policy_source === "rpc") {
    log?.warn({ policy_source: conf.policy_source }, `policies.policy_source "${conf.policy_source}" is not supported by this gateway: no policies are loaded`);
    return { kind: "none" };
  }
  if (paths.policy_path) return { kind: "dir", path: paths.policy_path };
  if (paths.policy_record_name) return { kind: "file", path: paths.policy_record_name };
  return { kind: "none" };
}

export interface PolicyLoadReport {
  loaded: string[];
  failed: Array<{ file: string; error: string }>;
}

export interface PolicyStoreLog {
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

/** One policy parsed from `data`; throws ConfigError naming `file` and the field. `id` wins over the body's own id. */
export function parsePolicy(data: unknown, file: string, id?: string): Policy {
  const policy = parseConfig(policySchema, data, file).value;
  if (id) policy.id = id;
  if (!policy.id) throw ConfigError.of(file, "id", "required field is missing (expected the policy id, a string)");
  return policy;
}

/** The policies a source holds; a file that cannot be read or parsed at all fails the whole load (Tyk keeps the old set). */
export function loadPolicies(source: PolicySource): { policies: Policy[]; report: PolicyLoadReport } {
  const report: PolicyLoadReport = { loaded: [], failed: [] };
  const policies: Policy[] = [];
  const add = (data: unknown, file: string, where: string, id?: string) => {
    try {
      const p = parsePolicy(data, where, id);
      policies.push(p);
      report.loaded.push(p.id!);
    } catch (err) {
      report.failed.push({ file, error: err instanceof Error ? err.message : String(err) });
    }
  };
  if (source.kind === "dir") {
    for (const name of readdirSync(source.path).filter((f) => f.endsWith(".json")).sort()) {
      const file = join(source.path, name);
      let data: unknown;
      try {
        data = readJsonFile(file);
      } catch (err) {
        report.failed.push({ file, error: err instanceof Error ? err.message : String(err) });
        continue;
      }
      add(data, file, file);
    }
  } else if (source.kind === "file") {
    const data = readJsonFile(source.path);
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
      throw ConfigError.of(source.path, "", "expected a JSON object mapping policy ids to policies");
    }
    for (const [id, body] of Object.entries(data)) add(body, source.path, `${source.path}: ${JSON.stringify(id)}`, id);
  }
  return { policies, report };
}

/**
 * The loaded policies, looked up as Tyk does: by org and id when applying them to a key, by id alone for the
 * Gateway API (the last loaded wins).
 */
export class PolicyStore implements PolicyLookup {
  #scoped = new Map<string, Policy>();
  #byId = new Map<string, Policy>();

  constructor(readonly source: PolicySource, private readonly log?: PolicyStoreLog) {}

  /**
   * Loads the source again and swaps the new set in. When the source cannot be read at all, the policies loaded
   * before stay in force (as in Tyk) and the error is logged and reported.
   */
  reload(): PolicyLoadReport {
    let loaded: ReturnType<typeof loadPolicies>;
    try {
      loaded = loadPolicies(this.source);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      const file = this.source.kind === "none" ? "" : this.source.path;
      this.log?.error({ file }, `policies not reloaded (the previous ones stay in force): ${error}`);
      return { loaded: [], failed: [{ file, error }] };
    }
    for (const f of loaded.report.failed) this.log?.error({ file: f.file }, `policy skipped: ${f.error}`);
    const scoped = new Map<string, Policy>();
    const byId = new Map<string, Policy>();
    for (const p of loaded.policies) {
      const key = scopedKey(p.org_id ?? "", p.id!);
      if (scoped.has(key)) this.log?.warn({ policy_id: p.id, org_id: p.org_id ?? "" }, "policy id loaded twice: the later one is used");
      scoped.set(key, p);
      byId.set(p.id!, p);
    }
    this.#scoped = scoped;
    this.#byId = byId;
    return loaded.report;
  }

  /** The policy `id` of org `orgId` (how keys find theirs). */
  get(orgId: string, id: string): Policy | undefined {
    return this.#scoped.get(scopedKey(orgId, id));
  }

  /** The policy last loaded with this id, whatever its org (the Gateway API's lookup). */
  byId(id: string): Policy | undefined {
    return this.#byId.get(id);
  }

  list(): Policy[] {
    return [...this.#scoped.values()];
  }
}

function scopedKey(orgId: string, id: string): string {
  return `${orgId}\u0000${id}`;
}
