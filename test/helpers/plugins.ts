// Test plugins are real Go sources under test/plugins/, built once per test
// run with our own plugin builder (scripts/test.ts does it before the suites
// start; a suite run on its own builds what is missing).

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildPlugin } from "../../src/plugin-builder/index.ts";
import type { Shim } from "../../ffi/shim.ts";
import { REPO_ROOT, SHIM_SOURCE_DIR, shimSourceKey } from "../../src/shim/build.ts";
import { GATEWAY_VERSION } from "../../src/version.ts";

export const PLUGIN_SOURCES = join(REPO_ROOT, "test", "plugins");
export const PLUGIN_OUT = join(REPO_ROOT, "build", "test-plugins");

export type PluginPaths = Record<string, string>;

function sourceHash(dir: string): string {
  const h = createHash("sha256");
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest("hex").slice(0, 12);
}

/**
 * Builds every test plugin not built yet (two at a time, one per core) and
 * returns name -> .so path. Outputs are keyed by the shim's and the plugin's
 * sources, so a change to either rebuilds.
 */
export async function buildTestPlugins(shim: Shim, log?: (m: string) => void): Promise<PluginPaths> {
  const dir = join(PLUGIN_OUT, shimSourceKey());
  const have: PluginPaths = {};
  const info = shim.info();
  mkdirSync(dir, { recursive: true });
  const todo: string[] = [];
  for (const name of readdirSync(PLUGIN_SOURCES)) {
    have[name] = join(dir, `${name}-${sourceHash(join(PLUGIN_SOURCES, name))}.so`);
    if (!existsSync(have[name])) todo.push(name);
  }
  const worker = async () => {
    for (let name = todo.shift(); name !== undefined; name = todo.shift()) {
      const output = have[name];
      log?.(`building test plugin ${name}`);
      await buildPlugin({
        pluginDir: join(PLUGIN_SOURCES, name),
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
