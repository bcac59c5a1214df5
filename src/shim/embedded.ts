// What a single executable (scripts/build-exe.ts, scripts/build-deno-exe.ts)
// carries besides its code: the shim library and the Go sources plugins are
// built against. The generated entry registers them *before* it imports
// src/main.ts; under `deno run` / `bun src/main.ts` nothing is registered and
// the shim is built from the repository (build.ts).
//
// This module imports nothing, so the generated entry can load it without
// pulling in (and evaluating) the modules that read the registration.

export interface EmbeddedFile {
  /** A path node:fs can read inside the executable (Bun's `/$bunfs/...`, Deno's `--include`d files). */
  file: string;
  /** Hex SHA-256 of the file, computed at build time. */
  sha256: string;
}

export interface EmbeddedAssets {
  /** GATEWAY_VERSION at build time: names the private directory the assets are unpacked to. */
  gatewayVersion: string;
  /** `go env GOVERSION` the shim was built with. */
  goVersion: string;
  /** libtykshim.so. */
  shim: EmbeddedFile & { size: number };
  /** The source bundle (source-bundle.ts); `treeDigest` is the digest of the unpacked tree. */
  sources: EmbeddedFile & { treeDigest: string };
}

let registered: EmbeddedAssets | undefined;
let consulted = false;

/** Called once by the executable's generated entry, before src/main.ts is imported. */
export function registerEmbeddedAssets(assets: EmbeddedAssets): void {
  // A late registration would leave build.ts pointing at the repository layout: fail loudly instead.
  if (consulted) throw new Error("embedded shim assets were registered after they were read: register them before importing src/main.ts");
  registered = assets;
}

/** The executable's assets, or undefined when running from a repository checkout. */
export function embeddedAssets(): EmbeddedAssets | undefined {
  consulted = true;
  return registered;
}
