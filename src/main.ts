// The one entry point, for Deno and Bun alike:
//   gateway --conf tyk.conf | plugin build|check ... | version
import process from "node:process";
import { pluginCommand } from "./cli/plugin.ts";
import { versionCommand } from "./cli/version.ts";
import { loadRuntime } from "./runtime/index.ts";

const USAGE = `usage:
  gateway --conf <tyk.conf>                 run the gateway
  gateway plugin build <dir> [-o <file.so>] build a Tyk Go plugin for this gateway
  gateway plugin check <file.so>            tell whether a plugin will load here
  gateway version                           versions a plugin must match`;

async function main(args: string[]): Promise<number> {
  const runtime = await loadRuntime();
  switch (args[0]) {
    case "plugin":
      return pluginCommand(runtime, args.slice(1));
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

process.exitCode = await main(process.argv.slice(2));
