import type { Shim } from "../../ffi/shim.ts";
import type { OpenSection, RunRequest, RunResult } from "../../ffi/wire.ts";
import { loadRuntime } from "../../src/runtime/index.ts";
import { openShim } from "../../src/shim/open.ts";
import { buildTestPlugins, type PluginPaths } from "./plugins.ts";

export const runtime = await loadRuntime();

let shared: Promise<{ shim: Shim; plugins: PluginPaths }> | undefined;

/** One shim per test process (Go allows one runtime per process), plugins built once. */
export function testShim(): Promise<{ shim: Shim; plugins: PluginPaths }> {
  shared ??= (async () => {
    const shim = openShim(runtime, { logLevel: "debug" });
    return { shim, plugins: await buildTestPlugins(shim) };
  })();
  return shared;
}

export const CLASSIC_API = {
  api_id: "api-1",
  name: "Test API",
  org_id: "org-1",
  use_keyless: true,
  proxy: { listen_path: "/test/", target_url: "http://127.0.0.1:1/", strip_listen_path: true },
  config_data: { greeting: "hi" },
};

/** The open section of a first run: a GET to /test/get?x=1, as the gateway would send it. */
export function openSection(overrides: Partial<OpenSection> = {}): OpenSection {
  return {
    method: "GET",
    uri: "/test/get?x=1",
    host: "localhost:8080",
    proto: "HTTP/1.1",
    remoteAddr: "127.0.0.1:5555",
    headers: [["accept", "*/*"], ["user-agent", "test"]],
    ...overrides,
  };
}

/** One run of `plugins` on a request it opens and then releases: the result, awaited if handed off. */
export async function runOnce(shim: Shim, api: number, plugins: number[], req: Omit<RunRequest, "hooks"> = {}): Promise<RunResult> {
  const run = shim.run(api, 0, { open: openSection(), ...req, hooks: plugins.map((plugin) => ({ plugin })) });
  try {
    return await run.result;
  } finally {
    shim.releaseRequest(run.request);
  }
}
