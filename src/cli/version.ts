import type { Runtime } from "../runtime/index.ts";
import { openShim } from "../shim/open.ts";
import { GATEWAY_VERSION } from "../version.ts";

export function versionCommand(runtime: Runtime): number {
  const info = openShim(runtime).info();
  const lines = [
    `gateway ${GATEWAY_VERSION}`,
    `runtime ${runtime.name} ${runtime.version}`,
    `go ${info.go}`,
    `shim ABI ${info.abi}`,
    "plugins must match:",
    ...info.deps.map((d) => `  ${d.path} ${d.version}${d.replace ? ` => ${d.replace}` : ""}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
