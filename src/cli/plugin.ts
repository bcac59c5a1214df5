// `gateway plugin build <dir> [-o file.so]` and `gateway plugin check <file.so>`.
import { Kind } from "../../ffi/abi.ts";
import { buildPlugin, PluginBuildError } from "../plugin-builder/index.ts";
import type { Runtime } from "../runtime/index.ts";
import { SHIM_SOURCE_DIR } from "../shim/build.ts";
import { openShim } from "../shim/open.ts";
import { GATEWAY_VERSION } from "../version.ts";

const say = (msg: string) => process.stderr.write(`${msg}\n`);

export function pluginCommand(runtime: Runtime, args: string[]): number | Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "build") return buildCommand(runtime, rest);
  if (sub === "check") return checkCommand(runtime, rest);
  say("usage: gateway plugin build <plugin-dir> [-o <file.so>]\n       gateway plugin check <file.so> [--symbol Name [--response | --analytics]]");
  return 2;
}

async function buildCommand(runtime: Runtime, args: string[]): Promise<number> {
  let dir: string | undefined;
  let output: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "-o" || args[i] === "--output") output = args[++i];
    else dir ??= args[i];
  }
  if (!dir) {
    say("usage: gateway plugin build <plugin-dir> [-o <file.so>]");
    return 2;
  }
  const shim = openShim(runtime, { log: say });
  const info = shim.info();
  try {
    const res = await buildPlugin({
      pluginDir: dir,
      output,
      shimDir: SHIM_SOURCE_DIR,
      shimGo: info.go,
      shimDeps: info.deps,
      gatewayVersion: GATEWAY_VERSION,
      log: say,
    });
    process.stdout.write(`${res.output}\n`);
    return 0;
  } catch (err) {
    if (err instanceof PluginBuildError) {
      say(`plugin build failed: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

function checkCommand(runtime: Runtime, args: string[]): number {
  const file = args.find((a) => !a.startsWith("-"));
  if (!file) {
    say("usage: gateway plugin check <file.so> [--symbol Name [--response | --analytics]]");
    return 2;
  }
  const shim = openShim(runtime, { log: say });
  const report = shim.checkPlugin(file);
  const si = args.indexOf("--symbol");
  if (report.ok && si >= 0) {
    const kind = args.includes("--response") ? Kind.RESPONSE : args.includes("--analytics") ? Kind.ANALYTICS : Kind.REQUEST;
    const loaded = shim.loadPlugin(file, args[si + 1], kind);
    if (!loaded.ok) {
      report.ok = false;
      report.problems.push(loaded.error);
    }
  }
  if (report.ok) {
    process.stdout.write(`${file}: OK, loads in this gateway (${report.goVersion}, module ${report.module})\n`);
    return 0;
  }
  process.stdout.write(`${file}: will NOT load in this gateway:\n${report.problems.map((p) => `- ${p}`).join("\n")}\nrebuild it with \`gateway plugin build\`\n`);
  return 1;
}
