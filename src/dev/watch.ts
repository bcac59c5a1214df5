// Live reload for development (and, with plugin_gateway.watch_app_path, for
// anyone who edits definitions in place): a change to a file in app_path
// reloads the APIs; in dev mode a change to a plugin's Go sources rebuilds
// the plugin with our builder and then reloads, so the new build is swapped in.

import { existsSync, readdirSync, watch, type FSWatcher } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "../log.ts";
import type { ApiRegistry, LoadReport } from "../registry/index.ts";

/** Reloads the APIs: the registry's own reload, or, in a worker, every worker's (the first watches for all). */
export type Reload = () => Promise<LoadReport>;

/** Calls `fn` once changes have stopped for `ms` (editors write files in several steps). */
function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

export function watchAppPath(reloadApis: Reload, appPath: string, log: Logger): FSWatcher {
  const reload = debounce(async () => {
    const report = await reloadApis();
    log.info({ loaded: report.loaded, failed: report.failed.length }, "app_path changed: APIs reloaded");
  }, 200);
  return watch(appPath, (_event, file) => {
    if (!file || String(file).endsWith(".json")) reload();
  });
}

export interface PluginRebuild {
  /** Builds the plugin in `sourceDir` into `output`. */
  build(sourceDir: string, output: string): Promise<void>;
}

/**
 * Watches the Go sources next to every loaded plugin file of `registry` (a
 * plugin built in place, as `plugin build` does by default), rebuilds it on
 * change, then reloads with `reload`.
 */
export function watchPluginSources(registry: ApiRegistry, reload: Reload, builder: PluginRebuild, log: Logger): FSWatcher[] {
  const outputs = new Map<string, Set<string>>();
  for (const api of registry.apis) {
    for (const slot of api.plugins) {
      const file = slot.ok ? slot.plugin.path : slot.path;
      const dir = dirname(file);
      if (!existsSync(dir) || !readdirSync(dir).some((f) => f.endsWith(".go"))) continue;
      outputs.set(dir, (outputs.get(dir) ?? new Set()).add(file));
    }
  }
  const watchers: FSWatcher[] = [];
  for (const [dir, files] of outputs) {
    let building = Promise.resolve();
    const rebuild = debounce(() => {
      building = building.then(async () => {
        const started = performance.now();
        try {
          for (const out of files) await builder.build(dir, out);
          const report = await reload();
          log.info({ dir, ms: Math.round(performance.now() - started), loaded: report.loaded }, "plugin source changed: rebuilt and hot-swapped");
        } catch (err) {
          log.error({ dir, err: (err as Error).message }, "plugin source changed, but the rebuild failed; the running build stays");
        }
      });
    }, 300);
    watchers.push(watch(dir, (_e, f) => f && String(f).endsWith(".go") && rebuild()));
    log.info({ dir }, "watching plugin sources");
  }
  return watchers;
}
