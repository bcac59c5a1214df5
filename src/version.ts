import pkg from "../package.json" with { type: "json" };

/** The gateway version plugins are named after: `<name>_v<version>_<os>_<arch>.so`. */
export const GATEWAY_VERSION: string = pkg.version;
