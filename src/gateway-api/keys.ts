// /tyk/keys: create (generated or custom key), read, update, delete and list
// sessions, with Tyk's answers. Keys are stored through the KeyStore, hashed
// there when hash_keys is on.

import { Hono } from "hono";
import { apiStatus } from "../gateway/errors.ts";
import { generateToken } from "../store/key-gen.ts";
import { hashKey } from "../store/key-hash.ts";
import type { KeyStore, SessionState } from "../store/types.ts";

export interface KeysOptions {
  store: KeyStore;
  hashKeys: boolean;
  hashKeyFunction: string;
  /** Tyk's allow_master_keys: keys without access rights reach every API. */
  allowMasterKeys: boolean;
  /** Listing keys is only possible when they are not hashed, or hashed listing is enabled (Tyk's rule). */
  allowListing: boolean;
}

const notFound = () => apiStatus(404, { status: "error", message: "Key not found" });

export function keysRoutes(opts: KeysOptions): Hono {
  const app = new Hono();
  const keyHash = (key: string) => (opts.hashKeys ? hashKey(key, opts.hashKeyFunction as "") : undefined);

  const readSession = (body: unknown): SessionState | Response => {
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      return apiStatus(400, { status: "error", message: "Request malformed" });
    }
    const session = body as SessionState;
    const rights = session.access_rights;
    if (!opts.allowMasterKeys && (!rights || Object.keys(rights).length === 0)) {
      return apiStatus(400, { status: "error", message: "Failed to create key, keys must have at least one Access Rights record set." });
    }
    return session;
  };

  const create = async (key: string | undefined, body: unknown): Promise<Response> => {
    const session = readSession(body);
    if (session instanceof Response) return session;
    const token = generateToken(String(session.org_id ?? ""), key ?? "", opts.hashKeyFunction);
    session.last_updated = String(Math.floor(Date.now() / 1000));
    await opts.store.setSession(token, session);
    return apiStatus(200, { key: token, status: "ok", action: "added", ...(opts.hashKeys ? { key_hash: keyHash(token) } : {}) });
  };

  app.get("/", async (c) => {
    if (!opts.allowListing) return apiStatus(400, { status: "error", message: "Hashed key listing is disabled in config (enable_hashed_keys_listing)" });
    return c.json({ keys: await opts.store.listKeys() });
  });
  app.post("/", async (c) => create(undefined, await c.req.json().catch(() => undefined)));
  app.post("/create", async (c) => create(undefined, await c.req.json().catch(() => undefined)));
  app.post("/:key", async (c) => create(c.req.param("key"), await c.req.json().catch(() => undefined)));
  app.get("/:key", async (c) => {
    const session = await opts.store.getSession(c.req.param("key"));
    return session ? c.json(session) : notFound();
  });
  app.put("/:key", async (c) => {
    const key = c.req.param("key");
    if (!(await opts.store.getSession(key))) return notFound();
    const session = readSession(await c.req.json().catch(() => undefined));
    if (session instanceof Response) return session;
    session.last_updated = String(Math.floor(Date.now() / 1000));
    await opts.store.setSession(key, session);
    return apiStatus(200, { key, status: "ok", action: "modified" });
  });
  app.delete("/:key", async (c) => {
    const key = c.req.param("key");
    if (!(await opts.store.deleteSession(key))) return apiStatus(404, { status: "error", message: "There is no such key found" });
    return apiStatus(200, { key, status: "ok", action: "deleted" });
  });
  return app;
}
