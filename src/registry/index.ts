// The APIs being served: loaded from app_path, matched by listen path
// (longest wins), and replaced as a whole on reload. A request keeps the API
// (and chain) it started with; a replaced API's shim handle is released once
// its last request has finished.

import { BundleError, type BundleOptions, loadBundle } from "../bundles/index.ts";
import { buildChain, type ChainDeps } from "../chain/build.ts";
import { type ApiDefinition, loadApiDefinitions } from "../config/api-definition.ts";
import type { Shim } from "../../ffi/shim.ts";
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

export function normaliseListenPath(p: string): string {
  let lp = p.startsWith("/") ? p : `/${p}`;
  if (!lp.endsWith("/")) lp += "/";
  return lp;
}

export class ApiRegistry {
  private entries: Entry[] = [];
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
   * Loads every definition in app_path (fetching bundles first) and swaps them
   * in at once; a broken file or bundle is reported and that API skipped.
   * Reloads run one after another.
   */
  reload(): Promise<LoadReport> {
    const run = (this.reloading ?? Promise.resolve()).catch(() => undefined).then(() => this.reloadNow());
    this.reloading = run;
    return run;
  }

  private async reloadNow(): Promise<LoadReport> {
    const report: LoadReport = { loaded: [], failed: [] };
    const next: Entry[] = [];
    const seen = new Map<string, string>();
    for (const item of loadApiDefinitions(this.appPath)) {
      if ("error" in item) {
        this.deps.log.error({ file: item.file }, `API definition skipped: ${item.error.message}`);
        report.failed.push({ file: item.file, error: item.error.message });
        continue;
      }
      for (const field of item.unknownFields) {
        this.deps.log.warn({ file: item.file, field }, `API definition field ${field} is not implemented by this gateway; ignored`);
      }
      const { raw, kind } = item;
      let { def } = item;
      if (def.active === false) continue;
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
      const listenPath = normaliseListenPath(def.proxy.listen_path);
      const clash = seen.get(def.api_id) ?? seen.get(`lp:${listenPath}`);
      if (clash) {
        const error = `api_id ${def.api_id} or listen path ${listenPath} is already used by ${clash}`;
        this.deps.log.error({ file: item.file }, `API definition skipped: ${error}`);
        report.failed.push({ file: item.file, error });
        continue;
      }
      try {
        const api = this.build(item.file, kind, def, raw, listenPath);
        seen.set(def.api_id, item.file).set(`lp:${listenPath}`, item.file);
        next.push({ api, inflight: 0, retired: false });
        report.loaded.push(def.api_id);
      } catch (err) {
        const error = `${item.file}: ${(err as Error).message}`;
        this.deps.log.error({ file: item.file }, `API definition skipped: ${error}`);
        report.failed.push({ file: item.file, error });
      }
    }
    next.sort((a, b) => b.api.listenPath.length - a.api.listenPath.length);
    for (const e of next) this.byApi.set(e.api, e);
    const old = this.entries;
    this.entries = next;
    for (const e of old) {
      e.retired = true;
      if (e.inflight === 0) this.shim.releaseApi(e.api.shimApi);
    }
    this.deps.driver.drainLogs();
    return report;
  }

  /** The definition with the bundle's custom_middleware (plugin paths inside the bundle), as Tyk does. */
  private async withBundle(def: ApiDefinition): Promise<ApiDefinition> {
    if (!this.bundles) throw new Error("bundles are not enabled (tyk.conf enable_bundle_downloader and bundle_base_url)");
    const bundle = await loadBundle(def.custom_middleware_bundle!, this.bundles);
    this.deps.log.info({ api_id: def.api_id, bundle: def.custom_middleware_bundle, dir: bundle.dir, cached: bundle.fromCache }, "bundle loaded");
    const cm = bundle.customMiddleware;
    // Replaced wholesale, as Tyk does: the bundle's manifest is the API's custom middleware.
    return { ...def, custom_middleware: { ...cm, driver: cm.driver || def.custom_middleware?.driver || "goplugin" } };
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

  /** The API whose listen path is the longest prefix of `path` ("/foo" matches listen path "/foo/"). */
  match(path: string): LoadedApi | undefined {
    for (const e of this.entries) {
      const lp = e.api.listenPath;
      if (path.startsWith(lp) || path === lp.slice(0, -1)) return e.api;
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
