import type { Runtime } from "../runtime/index.ts";
import { embeddedAssets } from "../shim/embedded.ts";
import { openShim } from "../shim/open.ts";
import { GATEWAY_VERSION } from "../version.ts";

export function versionCommand(runtime: Runtime): number {
  // Messages about unpacking or repairing the embedded shim go to stderr, not into the report.
  const shim = openShim(runtime, { log: (m) => process.stderr.write(`${m}\n`) });
  const info = shim.info();
  const embedded = embeddedAssets();
  const lines = [
    `gateway ${GATEWAY_VERSION}`,
    `runtime ${runtime.name} ${runtime.version}${embedded ? " (single executable)" : ""}`,
    `go ${info.go}`,
    `shim ABI ${info.abi}`,
    `shim ${shim.path}${embedded ? ` (embedded, sha256 ${embedded.shim.sha256})` : ""}`,
    "plugins must match:",
    ...info.deps.map((d) => `  ${d.path} ${d.version}${d.replace ? ` => ${d.replace}` : ""}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
