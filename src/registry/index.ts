// The APIs being served: loaded from app_path, matched by listen path
// (longest wins), and replaced as a whole on reload. A request keeps the API
// (and chain) it started with; a replaced API's shim handle is released once
// its last request has finished.

import { BundleError, type BundleOptions, loadBundle } from "../bundles/index.ts";
import { buildChain, type ChainDeps } from "../chain/build.ts";
import { type ApiDefinition, loadApiDefinitions } from "../config/api-definition.ts";
import type { Shim } from "../../ffi/shim.ts";
import { isAbsolute, join } from "node:path";
import { routedForm } from "../gateway/request-path.ts";
import type { LoadedApi } from "./types.ts";

export type { LoadedApi, PluginSlot } from "./types.ts";

export interface LoadReport {
  loaded: string[];
  failed: Array<{ file: string; error: string }>;
}

interface Entry {
  api: LoadedApi;
  inflight: number;
  retired: boolean;
}

/** A definition read from app_path, before conflicts are settled. */
interface Candidate {
  file: string;
  kind: "classic" | "oas";
  def: ApiDefinition;
  raw: Record<string, unknown>;
  listenPath: string;
}

/** A listen path and the API that answers it; none: definitions conflict over it (answered 500). */
interface Route {
  listenPath: string;
  entry?: Entry;
}

/** What a request path routes to: an API, a listen path definitions conflict over, or nothing. */
export type RouteMatch = { api: LoadedApi } | "conflict" | undefined;

/**
 * A listen path in the form requests are routed by (decoded, clean, with a
 * trailing slash), so that every spelling of one path ("/admin", "/%61dmin/",
 * "/x/../admin//") is one listen path, for routing and for conflicts.
 */
export function normaliseListenPath(p: string): string {
  const written = p.startsWith("/") ? p : `/${p}`;
  // A malformed escape is refused when the definition is parsed; kept as written here.
  let lp = routedForm(written) ?? written;
  if (!lp.endsWith("/")) lp += "/";
  return lp;
}

export class ApiRegistry {
  private entries: Entry[] = [];
  private routes: Route[] = [];
  private readonly byApi = new WeakMap<LoadedApi, Entry>();

  private reloading: Promise<LoadReport> | undefined;

  constructor(
    private readonly shim: Shim,
    private readonly deps: ChainDeps,
    private readonly appPath: string,
    /** Where custom_middleware_bundle bundles come from; absent: definitions naming one are refused. */
    private readonly bundles?: BundleOptions,
  ) {}

  get apis(): readonly LoadedApi[] {
    return this.entries.map((e) => e.api);
  }

  /**
   * Loads the security policies, then every definition in app_path (fetching
   * bundles first), and swaps them in at once; a broken file or bundle is
   * reported and that API skipped (a broken policy is logged and skipped).
   * Reloads run one after another.
   */
  reload(): Promise<LoadReport> {
    const run = (this.reloading ?? Promise.resolve()).catch(() => undefined).then(() => this.reloadNow());
    this.reloading = run;
    return run;
  }

  private async reloadNow(): Promise<LoadReport> {
    const policies = this.deps.policies.reload();
    if (this.deps.policies.source.kind !== "none") this.deps.log.info({ loaded: policies.loaded, failed: policies.failed.length }, `${policies.loaded.length} policies loaded`);
    const report: LoadReport = { loaded: [], failed: [] };
    const fail = (file: string, error: string, fields: Record<string, unknown> = {}) => {
      this.deps.log.error({ file, ...fields }, `API definition skipped: ${error}`);
      report.failed.push({ file, error });
    };
    const candidates: Candidate[] = [];
    for (const item of loadApiDefinitions(this.appPath)) {
      if ("error" in item) {
        fail(item.file, item.error.message);
        continue;
      }
      for (const field of item.unknownFields) {
        this.deps.log.warn({ file: item.file, field }, `API definition field ${field} is not implemented by this gateway; ignored`);
      }
      const { raw, kind } = item;
      let { def } = item;
      if (def.active === false) continue;
      const listenPath = normaliseListenPath(def.proxy.listen_path);
      if (listenPath.startsWith("/tyk/")) {
        fail(item.file, `proxy.listen_path ${JSON.stringify(def.proxy.listen_path)} is under /tyk/, the Gateway API: refused`);
        continue;
      }
      if (def.custom_middleware_bundle && !def.custom_middleware_bundle_disabled) {
        try {
          def = await this.withBundle(def);
        } catch (err) {
          const error = err instanceof BundleError ? err.message : `bundle ${def.custom_middleware_bundle}: ${(err as Error).message}`;
          this.deps.log.error({ file: item.file, api_id: def.api_id }, `API not loaded: ${error}`);
          report.failed.push({ file: item.file, error });
          continue;
        }
      }
      candidates.push({ file: item.file, kind, def, raw, listenPath });
    }

    const next: Entry[] = [];
    const blocked = new Set<string>();
    for (const c of this.withoutConflicts(candidates, fail, blocked)) {
      try {
        const api = this.build(c.file, c.kind, c.def, c.raw, c.listenPath);
        next.push({ api, inflight: 0, retired: false });
        report.loaded.push(c.def.api_id);
      } catch (err) {
        fail(c.file, `${c.file}: ${(err as Error).message}`);
      }
    }
    for (const e of next) {
      this.byApi.set(e.api, e);
      blocked.delete(e.api.listenPath);
    }
    const routes: Route[] = [
      ...next.map((entry) => ({ listenPath: entry.api.listenPath, entry })),
      ...[...blocked].map((listenPath) => ({ listenPath })),
    ];
    routes.sort((a, b) => b.listenPath.length - a.listenPath.length);
    const old = this.entries;
    this.entries = next;
    this.routes = routes;
    for (const e of old) {
      e.retired = true;
      if (e.inflight === 0) this.shim.releaseApi(e.api.shimApi);
    }
    this.deps.driver.drainLogs();
    return report;
  }

  /**
   * Definitions that share an api_id or a listen path with another: as in
   * Tyk, one that already served that api_id on that listen path keeps it and
   * the newcomers are refused. Otherwise all of them are refused, and their
   * listen paths (if no other API serves them) are kept answering 500 rather
   * than falling through to a shorter listen path: a conflict never opens
   * what one of the definitions protects. Each refusal names both files.
   */
  private withoutConflicts(candidates: Candidate[], fail: (file: string, error: string) => void, blocked: Set<string>): Candidate[] {
    const byKey = new Map<string, Candidate[]>();
    for (const c of candidates) {
      for (const key of [`api_id ${c.def.api_id}`, `listen path ${c.listenPath}`]) {
        const list = byKey.get(key);
        if (list) list.push(c);
        else byKey.set(key, [c]);
      }
    }
    const refused = new Set<Candidate>();
    for (const [key, group] of byKey) {
      if (group.length < 2) continue;
      const owner = group.find((c) => this.entries.some((e) => e.api.id === c.def.api_id && e.api.listenPath === c.listenPath));
      for (const c of group) {
        if (c === owner) continue;
        refused.add(c);
        const others = group.filter((o) => o !== c).map((o) => o.file).join(", ");
        fail(c.file, `${key} is also used by ${others}${owner ? ` (which keeps it)` : "; none of them is served"}`);
      }
    }
    for (const c of refused) blocked.add(c.listenPath);
    return candidates.filter((c) => !refused.has(c));
  }

  /** The definition with the bundle's custom_middleware (plugin paths inside the bundle), as Tyk does. */
  private async withBundle(def: ApiDefinition): Promise<ApiDefinition> {
    if (!this.bundles) throw new Error("bundles are not enabled (tyk.conf enable_bundle_downloader and bundle_base_url)");
    const bundle = await loadBundle(def.custom_middleware_bundle!, this.bundles);
    this.deps.log.info({ api_id: def.api_id, bundle: def.custom_middleware_bundle, dir: bundle.dir, cached: bundle.fromCache }, "bundle loaded");
    const cm = bundle.customMiddleware;
    // As Tyk's AddToSpec: traffic_logs (enabled, named) is the API's analytics plugin; a relative analytics
    // plugin path of the definition's own is taken from the bundle too.
    const logs = cm.traffic_logs;
    const ap = def.analytics_plugin;
    const analytics = logs && !logs.disabled
      ? { enable: true, plugin_path: logs.path, func_name: logs.name }
      : { ...ap, plugin_path: ap.plugin_path && !isAbsolute(ap.plugin_path) ? join(bundle.dir, ap.plugin_path) : ap.plugin_path };
    // Replaced wholesale, as Tyk does: the bundle's manifest is the API's custom middleware.
    return { ...def, custom_middleware: { ...cm, driver: cm.driver || def.custom_middleware?.driver || "goplugin" }, analytics_plugin: analytics };
  }

  private build(file: string, kind: "classic" | "oas", def: ApiDefinition, raw: Record<string, unknown>, listenPath: string): LoadedApi {
    // Plugins see the definition as written: ctx.GetDefinition on Classic APIs, ctx.GetOASDefinition on OAS ones.
    const shimApi = this.shim.registerApi(kind, raw);
    return buildChain(def, {
      id: def.api_id,
      name: def.name ?? "",
      orgId: def.org_id ?? "",
      file,
      def,
      raw,
      listenPath,
      target: new URL(def.proxy.target_url),
      shimApi,
      plugins: [],
    }, this.deps);
  }

  /**
   * What the longest listen path that prefixes `path` (the decoded, clean
   * request path) routes to ("/foo" matches listen path "/foo/").
   */
  match(path: string): RouteMatch {
    for (const r of this.routes) {
      const lp = r.listenPath;
      if (path.startsWith(lp) || path === lp.slice(0, -1)) return r.entry ? { api: r.entry.api } : "conflict";
    }
    return undefined;
  }

  /** Marks a request in flight on `api`; call the returned function when it is done. */
  enter(api: LoadedApi): () => void {
    const e = this.byApi.get(api);
    if (!e) return () => {};
    e.inflight++;
    return () => {
      if (--e.inflight === 0 && e.retired) this.shim.releaseApi(e.api.shimApi);
    };
  }
}
