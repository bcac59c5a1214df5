import { openBun } from "../../ffi/bun.ts";
import type { Runtime } from "./types.ts";

export const runtime: Runtime = { name: "bun", version: Bun.version, openRawShim: openBun };
