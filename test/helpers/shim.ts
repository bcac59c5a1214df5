import { Shim } from "../../ffi/shim.ts";
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

export function request(overrides: Partial<import("../../ffi/wire.ts").CallRequest> = {}) {
  return {
    method: "GET",
    uri: "/test/get?x=1",
    host: "localhost:8080",
    proto: "HTTP/1.1",
    remoteAddr: "127.0.0.1:5555",
    authToken: "",
    headers: [["accept", "*/*"], ["user-agent", "test"]] as Array<[string, string]>,
    ...overrides,
  };
}
