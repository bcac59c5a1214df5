// Test plugins are real Go sources under test/plugins/, built once per test
// run with our own plugin builder (scripts/test.ts does it before the suites
// start; a suite run on its own builds what is missing).

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildPlugin } from "../../src/plugin-builder/index.ts";
import type { Shim } from "../../ffi/shim.ts";
import { REPO_ROOT, SHIM_SOURCE_DIR, shimSourceKey } from "../../src/shim/build.ts";
import { GATEWAY_VERSION } from "../../src/version.ts";

export const PLUGIN_SOURCES = join(REPO_ROOT, "test", "plugins");
export const PLUGIN_OUT = join(REPO_ROOT, "build", "test-plugins");
/** The corpus re-expressing public Tyk plugins, one module per directory (test/e2e/public-plugins.test.ts). */
export const PUBLIC_PLUGIN_SOURCES = join(REPO_ROOT, "test", "plugins-public");

export type PluginPaths = Record<string, string>;

// Subdirectories (a plugin's own packages) count by their own hash; a flat directory hashes as it always did.
function sourceHash(dir: string): string {
  const h = createHash("sha256");
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    h.update(f).update(statSync(p).isDirectory() ? sourceHash(p) : readFileSync(p));
  }
  return h.digest("hex").slice(0, 12);
}

/**
 * Builds every test plugin not built yet (two at a time, one per core) and
 * returns name -> .so path. Outputs are keyed by the shim's and the plugin's
 * sources, so a change to either rebuilds. `sources` is a directory of plugin
 * directories (files beside them are skipped).
 */
export async function buildTestPlugins(shim: Shim, log?: (m: string) => void, sources = PLUGIN_SOURCES): Promise<PluginPaths> {
  const dir = join(PLUGIN_OUT, shimSourceKey());
  const have: PluginPaths = {};
  const info = shim.info();
  mkdirSync(dir, { recursive: true });
  const todo: string[] = [];
  for (const name of readdirSync(sources)) {
    if (!statSync(join(sources, name)).isDirectory()) continue;
    have[name] = join(dir, `${name}-${sourceHash(join(sources, name))}.so`);
    if (!existsSync(have[name])) todo.push(name);
  }
  const worker = async () => {
    for (let name = todo.shift(); name !== undefined; name = todo.shift()) {
      const output = have[name];
      log?.(`building test plugin ${name}`);
      await buildPlugin({
        pluginDir: join(sources, name),
        output,
        shimDir: SHIM_SOURCE_DIR,
        shimGo: info.go,
        shimDeps: info.deps,
        gatewayVersion: GATEWAY_VERSION,
      });
    }
  };
  await Promise.all([worker(), worker()]);
  return have;
}
