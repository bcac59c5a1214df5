import type { ApiDefinition } from "../config/api-definition.ts";
import type { Chain } from "../gateway/compose.ts";
import type { LoadedPlugin } from "../plugin-driver/index.ts";

/** A plugin entry of a definition: loaded, or why it could not be. */
export type PluginSlot =
  | { ok: true; plugin: LoadedPlugin }
  | { ok: false; path: string; symbol: string; error: string };

/** An API ready to serve: its definition, its shim handle and its chain. */
export interface LoadedApi {
  readonly id: string;
  readonly name: string;
  readonly orgId: string;
  readonly file: string;
  readonly def: ApiDefinition;
  /** The definition as written, handed to plugins (ctx.GetDefinition). */
  readonly raw: Record<string, unknown>;
  /** Normalised to start and end with "/". */
  readonly listenPath: string;
  readonly target: URL;
  /** The definition's handle in the shim. */
  readonly shimApi: number;
  /** Every plugin entry of the definition, loaded or not (analytics_plugin included). */
  readonly plugins: PluginSlot[];
  /** The API's analytics_plugin, when enabled (see analytics/recorder.ts). */
  readonly analyticsPlugin?: PluginSlot;
  /** Its records carry the whole request and response (its enable_detailed_recording, or tyk.conf's). */
  readonly detailedRecording?: boolean;
  chain: Chain;
}
