// Tyk's cluster notifications: JSON messages on the Redis pub/sub channel `tyk.cluster.notifications`, by which one
// gateway (or the Dashboard) tells every gateway sharing the Redis to reload its APIs and policies.
//
// Wire format, as Tyk's gateway/redis_signals.go marshals its Notification:
//   {"command":"GroupReload","payload":"","signature":"<hex>","algorithm":5}
// `signature` is hex(sha256(command + payload + node_secret)) and `algorithm` is Go's crypto.SHA256 (5); Tyk signs
// every notification it sends and, unless allow_insecure_configs is on, drops those whose signature does not check
// out. This notifier adds `source` (its node id): Go's json.Unmarshal ignores fields it does not know, so Tyk nodes
// still read these messages.
//
// Tyk does not ignore its own messages: /tyk/reload/group only publishes GroupReload, and the node that published it
// reloads when the message comes back on its own subscription. So by default onReload handlers see this node's own
// notifications too (`ignoreOwn` turns that off).
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import {
  ConnectionWatch,
  createRedisClient,
  describeRedis,
  type RedisConnectionOptions,
  silentLog,
  type StatusLog,
} from "./redis.ts";

export const CLUSTER_CHANNEL = "tyk.cluster.notifications";

/** Tyk's NotificationCommand values (gateway/redis_signals.go). */
export const NotificationCommands = {
  ApiUpdated: "ApiUpdated",
  ApiRemoved: "ApiRemoved",
  ApiAdded: "ApiAdded",
  GroupReload: "GroupReload",
  PolicyChanged: "PolicyChanged",
  ConfigUpdate: "NoticeConfigUpdated",
  DashboardZeroConf: "NoticeDashboardZeroConf",
  DashboardConfigRequest: "NoticeDashboardConfigRequest",
  GatewayConfigResponse: "NoticeGatewayConfigResponse",
  GatewayDRLNotification: "NoticeGatewayDRLNotification",
  GatewayLENotification: "NoticeGatewayLENotification",
  KeySpaceUpdateNotification: "KeySpaceUpdateNotification",
} as const;

/** The commands on which Tyk reloads its APIs and policies (reloadURLStructure). */
export const RELOAD_COMMANDS: ReadonlySet<string> = new Set([
  NotificationCommands.ApiUpdated,
  NotificationCommands.ApiRemoved,
  NotificationCommands.ApiAdded,
  NotificationCommands.PolicyChanged,
  NotificationCommands.GroupReload,
]);

/** Go's crypto.SHA256, the only signature algorithm this notifier makes or checks. */
export const SIGNATURE_ALGO_SHA256 = 5;

/** One message on the channel, as Tyk's Notification marshals, plus `source`. */
export interface NotificationMessage {
  command: string;
  payload: string;
  signature: string;
  algorithm: number;
  /** Node id of the sender; absent in messages from Tyk itself. */
  source?: string;
}

export interface ReceivedNotification {
  command: string;
  payload: string;
  /** The sender's node id, "" when the sender did not say (Tyk nodes, the Dashboard). */
  source: string;
}

export interface ClusterNotifierOptions extends RedisConnectionOptions {
  /** Identifies this gateway in the messages it sends. */
  nodeId: string;
  /** tyk.conf's node_secret: signs sent notifications and checks received ones. Default "". */
  nodeSecret?: string;
  /**
   * tyk.conf's allow_insecure_configs: accept notifications whatever their signature. When off (Tyk's default), only
   * SHA-256 signatures made with nodeSecret are accepted; Dashboard messages signed with its private key (checked by
   * Tyk against public_key_path) are dropped.
   */
  allowInsecureConfigs?: boolean;
  /** Skip notifications this node sent itself. Tyk does not (see above); default false. */
  ignoreOwn?: boolean;
  /** How long publish() waits for Redis when it is not connected yet; default 1000 ms. */
  publishWaitMs?: number;
  log?: StatusLog;
  /** Override the channel (tests); default tyk.cluster.notifications. */
  channel?: string;
}

type Handler = (n: ReceivedNotification) => void | Promise<void>;

export class ClusterNotifier {
  readonly nodeId: string;
  readonly channel: string;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly watch: ConnectionWatch;
  private readonly log: StatusLog;
  private readonly reloadHandlers = new Set<Handler>();
  private readonly allHandlers = new Set<Handler>();
  private subscribed = false;
  private closed = false;

  constructor(private readonly opts: ClusterNotifierOptions) {
    this.nodeId = opts.nodeId;
    this.channel = opts.channel ?? CLUSTER_CHANNEL;
    this.log = opts.log ?? silentLog;
    // Publishing fails fast while Redis is away (as Tyk's Notify does) instead of queueing stale reloads.
    this.pub = createRedisClient(opts, { enableOfflineQueue: false, connectionName: `tyk-ts-pub-${opts.nodeId}` });
    // The subscriber (re)subscribes itself on every (re)connect, so it needs no offline queue either.
    this.sub = createRedisClient(opts, {
      enableOfflineQueue: false,
      autoResubscribe: false,
      connectionName: `tyk-ts-sub-${opts.nodeId}`,
    });
    this.sub.on("ready", () => void this.subscribe());
    this.sub.on("close", () => {
      this.subscribed = false;
    });
    this.sub.on("message", (channel: string, message: string) => {
      if (channel === this.channel) this.dispatch(message);
    });
    this.watch = new ConnectionWatch([this.pub, this.sub], "cluster notifications", describeRedis(opts), this.log);
  }

  /** True while both connections are up and the channel is subscribed. */
  get connected(): boolean {
    return this.watch.up && this.subscribed;
  }

  /** Resolves true once connected and subscribed, or false after timeoutMs. Never rejects. */
  async ready(timeoutMs = 5000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (!this.closed && !this.connected && Date.now() < end) {
      await this.watch.waitUp(Math.min(50, end - Date.now()));
      if (!this.connected) await new Promise((r) => setTimeout(r, 10));
    }
    return this.connected;
  }

  /**
   * Sends a signed notification to every gateway on the channel (this one included). Resolves true when Redis took
   * it, false when Redis is unreachable or the notifier is closed. Never rejects.
   */
  async publish(command: string, payload = ""): Promise<boolean> {
    if (this.closed) return false;
    if (!this.watch.up) await this.watch.waitUp(this.opts.publishWaitMs ?? 1000);
    if (!this.watch.up || this.closed) return false; // the outage itself is logged once by the watch
    const msg: NotificationMessage = {
      command,
      payload,
      signature: sign(command, payload, this.opts.nodeSecret ?? ""),
      algorithm: SIGNATURE_ALGO_SHA256,
      source: this.nodeId,
    };
    try {
      await this.pub.publish(this.channel, JSON.stringify(msg));
      return true;
    } catch (err) {
      this.log.warn(`cluster notifications: could not publish ${command}: ${errMessage(err)}`);
      return false;
    }
  }

  /**
   * Calls handler for every notification on which Tyk reloads APIs and policies: GroupReload, ApiUpdated, ApiAdded,
   * ApiRemoved, PolicyChanged. A handler that throws or rejects is logged, never propagated. Returns an unsubscribe.
   */
  onReload(handler: (n: ReceivedNotification) => void | Promise<void>): () => void {
    this.reloadHandlers.add(handler);
    return () => this.reloadHandlers.delete(handler);
  }

  /** Calls handler for every accepted notification, whatever its command (e.g. KeySpaceUpdateNotification). */
  onNotification(handler: Handler): () => void {
    this.allHandlers.add(handler);
    return () => this.allHandlers.delete(handler);
  }

  /** Unsubscribes and closes both connections. Idempotent; never rejects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reloadHandlers.clear();
    this.allHandlers.clear();
    this.watch.release();
    await Promise.all([quit(this.sub), quit(this.pub)]);
  }

  private async subscribe(): Promise<void> {
    if (this.closed) return;
    try {
      await this.sub.subscribe(this.channel);
      this.subscribed = true;
    } catch (err) {
      // The connection dropped in between; the next "ready" subscribes again.
      if (!this.closed) this.log.warn(`cluster notifications: subscribe failed: ${errMessage(err)}`);
    }
  }

  private dispatch(raw: string): void {
    let n: Partial<NotificationMessage>;
    try {
      n = JSON.parse(raw);
    } catch {
      this.log.warn("cluster notifications: dropped a malformed message");
      return;
    }
    if (n === null || typeof n !== "object" || typeof n.command !== "string") {
      this.log.warn("cluster notifications: dropped a malformed message");
      return;
    }
    const command = n.command;
    const payload = typeof n.payload === "string" ? n.payload : "";
    const source = typeof n.source === "string" ? n.source : "";
    // Tyk skips config responses (meant for the Dashboard) before checking any signature.
    if (command === NotificationCommands.GatewayConfigResponse) return;
    if (!this.opts.allowInsecureConfigs && !validSignature(n, command, payload, this.opts.nodeSecret ?? "")) {
      this.log.warn(`cluster notifications: dropped ${command}: invalid signature`);
      return;
    }
    if (this.opts.ignoreOwn && source === this.nodeId) return;
    const received: ReceivedNotification = { command, payload, source };
    if (RELOAD_COMMANDS.has(command)) {
      this.log.info(`cluster notifications: ${command} received${source ? ` from ${source}` : ""}; reloading`);
      for (const h of this.reloadHandlers) this.call(h, received);
    }
    for (const h of this.allHandlers) this.call(h, received);
  }

  private call(h: Handler, n: ReceivedNotification): void {
    try {
      const r = h(n);
      if (r && typeof (r as Promise<void>).catch === "function") {
        (r as Promise<void>).catch((err) => this.log.warn(`cluster notifications: handler failed: ${errMessage(err)}`));
      }
    } catch (err) {
      this.log.warn(`cluster notifications: handler failed: ${errMessage(err)}`);
    }
  }
}

/** Tyk's Notification.Sign: hex(sha256(command + payload + node_secret)). */
export function sign(command: string, payload: string, nodeSecret: string): string {
  return createHash("sha256").update(command + payload + nodeSecret).digest("hex");
}

function validSignature(n: Partial<NotificationMessage>, command: string, payload: string, secret: string): boolean {
  return n.algorithm === SIGNATURE_ALGO_SHA256 && n.signature === sign(command, payload, secret);
}

async function quit(c: Redis): Promise<void> {
  try {
    if (c.status === "ready") await c.quit();
    else c.disconnect();
  } catch {
    c.disconnect();
  }
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
