// The one entry point, for Deno and Bun alike:
//   gateway --conf tyk.conf | plugin build|check ... | version
import process from "node:process";
import { ShimLoadError } from "../ffi/errors.ts";
import { bundleCommand } from "./cli/bundle.ts";
import { pluginCommand } from "./cli/plugin.ts";
import { ConfigError } from "./config/validate.ts";
import { versionCommand } from "./cli/version.ts";
import { loadRuntime } from "./runtime/index.ts";
import { StartupError } from "./server/start.ts";
import { runGatewayCommand } from "./supervisor/index.ts";

const USAGE = `usage:
  gateway --conf <tyk.conf> [--dev]         run the gateway (--dev: reload on changes, rebuild plugins)
  gateway plugin build <dir> [-o <file.so>] build a Tyk Go plugin for this gateway
  gateway plugin check <file.so>            tell whether a plugin will load here
  gateway bundle build [-m manifest.json] [-o bundle.zip] [-k private.pem] [-y]
                                            make a plugin bundle (checksum, signature)
  gateway version                           versions a plugin must match`;

async function main(args: string[]): Promise<number> {
  const runtime = await loadRuntime();
  const conf = args.indexOf("--conf");
  if (conf >= 0) {
    if (!args[conf + 1]) {
      process.stderr.write(`--conf needs a file\n${USAGE}\n`);
      return 2;
    }
    // Exit explicitly: pooled connections or the FFI callback must not keep a stopped gateway alive.
    process.exit(await runGatewayCommand(runtime, args[conf + 1], { dev: args.includes("--dev") }));
  }
  switch (args[0]) {
    case "plugin":
      return pluginCommand(runtime, args.slice(1));
    case "bundle":
      return bundleCommand(args.slice(1));
    case "version":
    case "--version":
      return versionCommand(runtime);
    case "help":
    case "--help":
    case "-h":
    case undefined:
      process.stdout.write(`${USAGE}\n`);
      return args[0] === undefined ? 2 : 0;
  }
  process.stderr.write(`unknown command ${args[0]}\n${USAGE}\n`);
  return 2;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  // Bad input (a tyk.conf field, a plugin that must load under strict_plugins) is
  // reported in one line naming the file and field, without a stack trace.
  const known = err instanceof ConfigError || err instanceof ShimLoadError || err instanceof StartupError;
  process.stderr.write(`gateway: ${known ? (err as Error).message : (err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
}
