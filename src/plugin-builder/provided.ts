// The Go modules this gateway provides in place of Tyk's own, and the check
// that stops a build importing one of their packages we do not have, before
// anything is downloaded (Go's own error would be a refused download, or
// "module ... does not contain package ...", neither of which says why).

import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** A module whose packages the gateway provides itself, from a directory of the shim's sources. */
export interface ProvidedModule {
  /** Module path, e.g. `github.com/TykTechnologies/tyk`. */
  path: string;
  /** Directory under the shim's source directory holding our copy. */
  dir: string;
}

/** Module paths of Tyk (the gateway) and Tyk Pump. */
export const TYK_MODULE = "github.com/TykTechnologies/tyk";
export const PUMP_MODULE = "github.com/TykTechnologies/tyk-pump";

/** Tyk's gateway module (`shim-go/tyk`) and Tyk Pump's (`shim-go/tyk-pump`, for analytics plugins). */
export const PROVIDED_MODULES: readonly ProvidedModule[] = [
  { path: TYK_MODULE, dir: "tyk" },
  { path: PUMP_MODULE, dir: "tyk-pump" },
];

/**
 * Why a package of Tyk's cannot be offered to plugins, by package path
 * relative to its module (a prefix covers the packages under it). Packages
 * not listed are simply ones this gateway does not have.
 */
const NOT_OFFERED: ReadonlyArray<[module: string, pkg: string, reason: string]> = [
  [TYK_MODULE, "gateway", "it is Tyk's gateway program itself (its server, middleware chain and global state), which this gateway replaces; a hook gets what it needs from `ctx` (session, definition) and `log`"],
  [TYK_MODULE, "config", "it is Tyk's tyk.conf, loaded by Tyk's process; this gateway reads tyk.conf itself and does not expose it to Go; put the settings a plugin needs in the API's config_data and read them with ctx.GetDefinition(r).ConfigData"],
  [TYK_MODULE, "storage", "it is Tyk's own connection to its Redis, opened by Tyk's process at start; nothing opens it in this gateway: connect with a Redis client of your own (e.g. github.com/redis/go-redis/v9)"],
  [TYK_MODULE, "rpc", "it is Tyk's link to MDCB, run by Tyk's process"],
  [TYK_MODULE, "coprocess", "it is Tyk's gRPC/Python plugin protocol, not part of Go plugins"],
  [TYK_MODULE, "test", "it is the harness of Tyk's own test suite, which starts a Tyk gateway"],
  [TYK_MODULE, "goplugin", "it is Tyk's Go plugin loader; this gateway has its own"],
  [TYK_MODULE, "apidef/adapter", "it builds GraphQL engine configurations with graphql-go-tools, which this gateway does not run"],
  [TYK_MODULE, "apidef/importer", "it is the dashboard's importer of Swagger, Blueprint and WSDL documents, not a plugin API"],
  [TYK_MODULE, "apidef/streams", "it validates Tyk Streams configurations with Bento, which this gateway does not run"],
  [TYK_MODULE, "internal", "it is internal to Tyk's module: Go itself refuses to build an import of it from any other module"],
];

const OTHER_ADVICE = "it is not one of the Tyk packages plugins are written against: check the import path, or copy what the plugin needs from it into the plugin";

/** The importable packages of a provided module's directory: every directory with non-test .go files, `internal` excluded. */
export function providedPackages(moduleDir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const entries = readdirSync(join(moduleDir, rel), { withFileTypes: true });
    if (rel && entries.some((e) => e.isFile() && e.name.endsWith(".go") && !e.name.endsWith("_test.go"))) out.push(rel);
    for (const e of entries) {
      if (e.isDirectory() && e.name !== "internal" && e.name !== "testdata" && !e.name.startsWith(".") && !e.name.startsWith("_")) {
        walk(rel ? `${rel}/${e.name}` : e.name);
      }
    }
  };
  if (existsSync(moduleDir)) walk("");
  return out.sort();
}

/**
 * One line for each imported package of a provided module that we do not
 * have: `<path> is not provided by this gateway; provided: <list>; <why or
 * what to do> (imported by <files>)`. Empty when every import is provided.
 * `imports` maps import path to the plugin files importing it.
 */
export function unprovidedImports(imports: Readonly<Record<string, readonly string[]>>, shimDir: string): string[] {
  const problems: string[] = [];
  for (const mod of PROVIDED_MODULES) {
    const have = new Set(providedPackages(join(shimDir, mod.dir)));
    for (const [path, files] of Object.entries(imports).sort(([a], [b]) => a.localeCompare(b))) {
      if (path !== mod.path && !path.startsWith(`${mod.path}/`)) continue;
      const pkg = path.slice(mod.path.length + 1);
      if (have.has(pkg)) continue;
      const reason = pkg === ""
        ? "it is a program (package main), not an importable package"
        : NOT_OFFERED.find(([m, p]) => m === mod.path && (pkg === p || pkg.startsWith(`${p}/`)))?.[2] ?? OTHER_ADVICE;
      problems.push(`${path} is not provided by this gateway; provided: ${[...have].join(", ")}; ${reason} (imported by ${files.join(", ")})`);
    }
  }
  return problems;
}
