// Which file a definition's plugin `path` means. As Tyk does since v4.1, a
// build named for this gateway version wins: <dir>/<name>_v<version>_<os>_<arch>.so,
// then the same without the "v", then the path exactly as written.

import { existsSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { goArch } from "../plugin-builder/index.ts";

export function pluginCandidates(path: string, gatewayVersion: string, baseDir: string): string[] {
  const abs = isAbsolute(path) ? path : resolve(baseDir, path);
  const dir = dirname(abs);
  const name = basename(abs).replace(/\.so$/, "");
  const version = gatewayVersion.replace(/^v/, "").split("-")[0];
  const suffix = `${process.platform}_${goArch()}.so`;
  return [join(dir, `${name}_v${version}_${suffix}`), join(dir, `${name}_${version}_${suffix}`), abs];
}

/** The first candidate that exists, or the exact path (whose absence the loader then reports). */
export function resolvePluginPath(path: string, gatewayVersion: string, baseDir: string): string {
  const candidates = pluginCandidates(path, gatewayVersion, baseDir);
  return candidates.find((p) => existsSync(p)) ?? candidates[candidates.length - 1];
}
