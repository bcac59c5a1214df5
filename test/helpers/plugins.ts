// Test plugins are real Go sources under test/plugins/, built once per test
// run with our own plugin builder (scripts/test.ts does it before the suites
// start; a suite run on its own builds what is missing).

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildPlugin } from "../../src/plugin-builder/index.ts";
import type { Shim } from "../../ffi/shim.ts";
import { REPO_ROOT, SHIM_SOURCE_DIR, shimSourceKey } from "../../src/shim/build.ts";
import { GATEWAY_VERSION } from "../../src/version.ts";

export const PLUGIN_SOURCES = join(REPO_ROOT, "test", "plugins");
export const PLUGIN_OUT = join(REPO_ROOT, "build", "test-plugins");

export type PluginPaths = Record<string, string>;

/**
 * Builds every test plugin not built yet for this shim (two at a time, one
 * per core) and returns name -> .so path. The manifest is keyed by the shim's
 * source key, so a changed shim rebuilds them all.
 */
export async function buildTestPlugins(shim: Shim, log?: (m: string) => void): Promise<PluginPaths> {
  const key = shimSourceKey();
  const dir = join(PLUGIN_OUT, key);
  const manifest = join(dir, "manifest.json");
  const have: PluginPaths = existsSync(manifest) ? JSON.parse(readFileSync(manifest, "utf8")) : {};
  const info = shim.info();
  mkdirSync(dir, { recursive: true });
  const todo = readdirSync(PLUGIN_SOURCES).filter((name) => !(have[name] && existsSync(have[name])));
  const worker = async () => {
    for (let name = todo.shift(); name !== undefined; name = todo.shift()) {
      const output = join(dir, `${name}.so`);
      log?.(`building test plugin ${name}`);
      await buildPlugin({
        pluginDir: join(PLUGIN_SOURCES, name),
        output,
        shimDir: SHIM_SOURCE_DIR,
        shimGo: info.go,
        shimDeps: info.deps,
        gatewayVersion: GATEWAY_VERSION,
      });
      have[name] = output;
      writeFileSync(manifest, JSON.stringify(have, null, 2));
    }
  };
  await Promise.all([worker(), worker()]);
  return have;
}
