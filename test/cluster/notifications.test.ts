// ClusterNotifier against a real redis-server: Tyk's Notification JSON on tyk.cluster.notifications, the commands that
// trigger a reload, signature checks, and reconnection after Redis goes away.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { Redis } from "ioredis";
import { ClusterNotifier, type ClusterNotifierOptions } from "../../src/cluster/notifications.ts";
import { startRedis, type TestRedis } from "../helpers/redis.ts";

const SECRET = "node-secret-1";

function logs() {
  const info: string[] = [];
  const warn: string[] = [];
  return { info, warn, log: { info: (m: string) => info.push(m), warn: (m: string) => warn.push(m) } };
}

function notifier(redis: TestRedis, nodeId: string, extra: Partial<ClusterNotifierOptions> = {}): ClusterNotifier {
  return new ClusterNotifier({
    host: "127.0.0.1",
    port: redis.port,
    nodeId,
    nodeSecret: SECRET,
    reconnectMaxDelayMs: 100,
    ...extra,
  });
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function tykSignature(command: string, payload: string, secret: string): string {
  return createHash("sha256").update(command + payload + secret).digest("hex");
}

/** A plain subscriber on the channel, to see the bytes on the wire. */
async function rawSubscriber(port: number): Promise<{ messages: string[]; client: Redis }> {
  const client = new Redis({ host: "127.0.0.1", port });
  client.on("error", () => {});
  const messages: string[] = [];
  client.on("message", (channel: string, m: string) => {
    if (channel === "tyk.cluster.notifications") messages.push(m);
  });
  await client.subscribe("tyk.cluster.notifications");
  return { messages, client };
}

test("a publish reaches every notifier on the Redis, its own included, as Tyk's signed Notification JSON", async () => {
  const redis = await startRedis();
  const a = notifier(redis, "node-a");
  const b = notifier(redis, "node-b");
  const raw = await rawSubscriber(redis.port);
  try {
    const gotA: Array<{ command: string; source: string }> = [];
    const gotB: Array<{ command: string; source: string }> = [];
    a.onReload((n) => void gotA.push({ command: n.command, source: n.source }));
    b.onReload(() => {
      throw new Error("a failing handler must not stop the others");
    });
    b.onReload((n) => void gotB.push({ command: n.command, source: n.source }));
    assert.equal(await a.ready(), true);
    assert.equal(await b.ready(), true);

    assert.equal(await a.publish("GroupReload"), true);
    await until(() => gotA.length === 1 && gotB.length === 1 && raw.messages.length === 1, "the notification");
    assert.deepEqual(gotB, [{ command: "GroupReload", source: "node-a" }]);
    // Tyk does not skip its own notifications: /tyk/reload/group reloads the publishing node through them.
    assert.deepEqual(gotA, [{ command: "GroupReload", source: "node-a" }]);

    assert.deepEqual(JSON.parse(raw.messages[0]), {
      command: "GroupReload",
      payload: "",
      signature: tykSignature("GroupReload", "", SECRET),
      algorithm: 5,
      source: "node-a",
    });
  } finally {
    raw.client.disconnect();
    await a.close();
    await b.close();
    await redis.stop();
  }
});

test("handlers fire for exactly Tyk's reload commands; bad signatures, malformed messages and config responses are dropped", async () => {
  const redis = await startRedis();
  const n = notifier(redis, "node-a");
  const lenient = notifier(redis, "node-l", { nodeSecret: "other", allowInsecureConfigs: true });
  const plain = new Redis({ host: "127.0.0.1", port: redis.port });
  plain.on("error", () => {});
  try {
    const reloads: string[] = [];
    const all: Array<{ command: string; payload: string; source: string }> = [];
    const lenientReloads: string[] = [];
    n.onReload((m) => void reloads.push(m.command));
    n.onNotification((m) => void all.push(m));
    lenient.onReload((m) => void lenientReloads.push(m.command));
    assert.equal(await n.ready(), true);
    assert.equal(await lenient.ready(), true);

    // As a Tyk node or the Dashboard would send them: no `source`.
    const send = (command: string, payload = "", signature = tykSignature(command, payload, SECRET)) =>
      plain.publish("tyk.cluster.notifications", JSON.stringify({ command, payload, signature, algorithm: 5 }));
    for (const c of ["ApiUpdated", "ApiAdded", "ApiRemoved", "PolicyChanged", "GroupReload"]) await send(c);
    await send("KeySpaceUpdateNotification", "key1,key2");
    await send("NoticeGatewayDRLNotification", "{}");
    await send("GroupReload", "", "bad-signature");
    await send("NoticeGatewayConfigResponse", "{}");
    await plain.publish("tyk.cluster.notifications", "{not json");
    await plain.publish("tyk.cluster.notifications", JSON.stringify({ payload: "no command" }));
    await send("ApiUpdated", "last");
    await until(() => all.some((m) => m.payload === "last"), "the last notification");

    assert.deepEqual(reloads, ["ApiUpdated", "ApiAdded", "ApiRemoved", "PolicyChanged", "GroupReload", "ApiUpdated"]);
    assert.deepEqual(all.map((m) => m.command), [
      "ApiUpdated",
      "ApiAdded",
      "ApiRemoved",
      "PolicyChanged",
      "GroupReload",
      "KeySpaceUpdateNotification",
      "NoticeGatewayDRLNotification",
      "ApiUpdated",
    ]);
    assert.deepEqual(all[5], { command: "KeySpaceUpdateNotification", payload: "key1,key2", source: "" });
    // allow_insecure_configs accepts any signature, including the bad one.
    await until(() => lenientReloads.length === 7, "the lenient notifier");
    assert.deepEqual(lenientReloads, [
      "ApiUpdated",
      "ApiAdded",
      "ApiRemoved",
      "PolicyChanged",
      "GroupReload",
      "GroupReload",
      "ApiUpdated",
    ]);
  } finally {
    plain.disconnect();
    await n.close();
    await lenient.close();
    await redis.stop();
  }
});

test("ignoreOwn skips this node's own notifications but not the others'", async () => {
  const redis = await startRedis();
  const a = notifier(redis, "node-a", { ignoreOwn: true });
  const b = notifier(redis, "node-b");
  try {
    const gotA: string[] = [];
    a.onReload((m) => void gotA.push(`${m.command}:${m.source}`));
    assert.equal(await a.ready(), true);
    assert.equal(await b.ready(), true);
    assert.equal(await a.publish("ApiAdded"), true);
    assert.equal(await b.publish("ApiRemoved"), true);
    await until(() => gotA.length >= 1, "b's notification");
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(gotA, ["ApiRemoved:node-b"]);
  } finally {
    await a.close();
    await b.close();
    await redis.stop();
  }
});

test("after Redis goes away and comes back the notifiers reconnect, log once each way, and deliver again", async () => {
  const redis = await startRedis();
  const la = logs();
  const lb = logs();
  const a = notifier(redis, "node-a", { log: la.log, publishWaitMs: 100 });
  const b = notifier(redis, "node-b", { log: lb.log });
  try {
    const gotB: string[] = [];
    b.onReload((m) => void gotB.push(m.payload === "" ? m.command : `${m.command}:${m.payload}`));
    b.onNotification(() => {});
    assert.equal(await a.ready(), true);
    assert.equal(await b.ready(), true);

    await redis.stop();
    await until(() => !a.connected && !b.connected, "the notifiers to see Redis gone");
    // While Redis is away publish says so instead of throwing.
    assert.equal(await a.publish("GroupReload", "lost"), false);
    await new Promise((r) => setTimeout(r, 600)); // several failed reconnection attempts
    await redis.restart();

    assert.equal(await a.ready(10_000), true, "a reconnects");
    assert.equal(await b.ready(10_000), true, "b reconnects and subscribes again");
    assert.equal(await a.publish("GroupReload", "after"), true);
    await until(() => gotB.length === 1, "the notification after the restart");
    assert.deepEqual(gotB, ["GroupReload:after"]);

    for (const l of [la, lb]) {
      assert.equal(l.warn.filter((m) => m.includes("lost the connection")).length, 1, l.warn.join("\n"));
      assert.equal(l.warn.length, 1, l.warn.join("\n"));
      assert.equal(l.info.filter((m) => m.includes("reconnected")).length, 1, l.info.join("\n"));
    }
  } finally {
    await a.close();
    await b.close();
    await redis.stop();
  }
});

test("a notifier started while Redis is down connects once it is up; close() is safe in any state", async () => {
  const redis = await startRedis();
  await redis.stop();
  const l = logs();
  const a = notifier(redis, "node-a", { log: l.log });
  const b = notifier(redis, "node-b");
  try {
    assert.equal(await a.ready(300), false);
    await redis.restart();
    const got: string[] = [];
    b.onReload((m) => void got.push(m.command));
    assert.equal(await a.ready(10_000), true);
    assert.equal(await b.ready(10_000), true);
    assert.equal(await a.publish("PolicyChanged"), true);
    await until(() => got.length === 1, "the notification");
    assert.equal(l.warn.filter((m) => m.includes("cannot connect")).length, 1, l.warn.join("\n"));
    assert.equal(l.info.filter((m) => m.includes("connected to Redis")).length, 1, l.info.join("\n"));
  } finally {
    await a.close();
    await a.close();
    await b.close();
    await redis.stop();
  }
  assert.equal(await a.publish("GroupReload"), false, "publish after close resolves false");
});
