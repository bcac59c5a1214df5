// /tyk/keys: create (generated or custom key), read, update, delete and list
// sessions, with Tyk's answers. Keys are stored through the KeyStore, hashed
// there when hash_keys is on. A body is validated as Tyk's json.Unmarshal into
// user.SessionState would (wrong types refused with 400 "Request malformed"),
// here also naming the field. As in Tyk, a key's policies (apply_policies) are
// applied before it is stored and whenever it is read, and a new key gets its
// policies' key_expires_in.

import type { Context } from "hono";
import { Hono } from "hono";
import { ConfigError, parseConfig } from "../config/validate.ts";
import { apiStatus } from "../gateway/errors.ts";
import { applyKeyExpiry, applyPolicies } from "../policy/apply.ts";
import type { PolicyStore } from "../policy/store.ts";
import { generateToken } from "../store/key-gen.ts";
import { hashKey } from "../store/key-hash.ts";
import { type KeyLookup, type KeyStore, type SessionState, sessionStateSchema } from "../store/types.ts";
import { readJsonBody, RequestMalformed } from "./body.ts";

export interface KeysOptions {
  store: KeyStore;
  hashKeys: boolean;
  hashKeyFunction: string;
  /** Tyk's allow_master_keys: keys without access rights reach every API. */
  allowMasterKeys: boolean;
  /** Listing keys is only possible when they are not hashed, or hashed listing is enabled (Tyk's rule). */
  allowListing: boolean;
  policies: PolicyStore;
}

const notFound = () => apiStatus(404, { status: "error", message: "Key not found" });

/**
 * Tyk's `?hashed=...` (any non-empty value, as Tyk reads it): the key in the path is already the key's hash, so it is
 * looked up as stored instead of being hashed again.
 */
function lookupOf(c: Context): KeyLookup {
  return { hashed: (c.req.query("hashed") ?? "") !== "" };
}

/** The session in a key body. Throws RequestMalformed naming every wrongly typed field. */
async function readSession(req: Request): Promise<SessionState> {
  const body = await readJsonBody(req);
  try {
    return parseConfig(sessionStateSchema, body, "key").value;
  } catch (err) {
    if (err instanceof ConfigError) throw RequestMalformed.fromConfigError(err);
    throw err;
  }
}

export function keysRoutes(opts: KeysOptions): Hono {
  const app = new Hono();
  const keyHash = (key: string) => (opts.hashKeys ? hashKey(key, opts.hashKeyFunction as "") : undefined);

  /** Tyk refuses keys without access rights unless master keys are allowed. */
  const masterKeyRefused = (session: SessionState): Response | undefined => {
    const rights = session.access_rights;
    if (opts.allowMasterKeys || (rights && Object.keys(rights).length > 0)) return undefined;
    return apiStatus(400, {
      status: "error",
      message: "Failed to create key, keys must have at least one Access Rights record set.",
    });
  };

  /**
   * The body's session with its policies applied (looked up under its org_id). Tyk's answer when they cannot be:
   * 500, worded by /tyk/keys/create after the reason, by the other routes without it.
   */
  const withPolicies = (session: SessionState, route: "create" | "keys"): SessionState | Response => {
    const out = applyPolicies(session, opts.policies);
    if (out.error === undefined) return out.session;
    const message = route === "create"
      ? `Failed to create key - ${out.error}`
      : "Failed to create key, ensure security settings are correct.";
    return apiStatus(500, { status: "error", message });
  };

  const create = async (key: string | undefined, req: Request, route: "create" | "keys"): Promise<Response> => {
    const session = withPolicies(await readSession(req), route);
    if (session instanceof Response) return session;
    const refused = masterKeyRefused(session);
    if (refused) return refused;
    const token = generateToken(session.org_id ?? "", key ?? "", opts.hashKeyFunction);
    const nowMs = Date.now();
    const isNew = key === undefined || !(await opts.store.getSession(token));
    if (isNew) applyKeyExpiry(session, opts.policies, Math.floor(nowMs / 1000));
    session.last_updated = String(Math.floor(nowMs / 1000));
    await opts.store.setSession(token, session);
    return apiStatus(200, {
      key: token,
      status: "ok",
      action: "added",
      ...(opts.hashKeys ? { key_hash: keyHash(token) } : {}),
    });
  };

  app.get("/", async (c) => {
    if (!opts.allowListing) {
      return apiStatus(400, {
        status: "error",
        message: "Hashed key listing is disabled in config (enable_hashed_keys_listing)",
      });
    }
    return c.json({ keys: await opts.store.listKeys() });
  });
  app.post("/", (c) => create(undefined, c.req.raw, "keys"));
  app.post("/create", (c) => create(undefined, c.req.raw, "create"));
  app.post("/:key", (c) => create(c.req.param("key"), c.req.raw, "keys"));
  app.get("/:key", async (c) => {
    const lookup = lookupOf(c);
    if (lookup.hashed && !opts.hashKeys) {
      return apiStatus(400, { status: "error", message: "Key requested by hash but key hashing is not enabled" });
    }
    const session = await opts.store.getSession(c.req.param("key"), lookup);
    if (!session) return notFound();
    // As Tyk: the key as its policies make it now (as far as they apply: Tyk ignores the error here).
    return c.json(applyPolicies(session, opts.policies).session);
  });
  app.put("/:key", async (c) => {
    const key = c.req.param("key");
    const lookup = lookupOf(c);
    // As Tyk: the body is read (and refused) before the key is looked up.
    const session = withPolicies(await readSession(c.req.raw), "keys");
    if (!(await opts.store.getSession(key, lookup))) return notFound();
    if (session instanceof Response) return session;
    const refused = masterKeyRefused(session);
    if (refused) return refused;
    session.last_updated = String(Math.floor(Date.now() / 1000));
    await opts.store.setSession(key, session, lookup);
    return apiStatus(200, { key, status: "ok", action: "modified" });
  });
  app.delete("/:key", async (c) => {
    const key = c.req.param("key");
    if (!(await opts.store.deleteSession(key, lookupOf(c)))) {
      return apiStatus(404, { status: "error", message: "There is no such key found" });
    }
    return apiStatus(200, { key, status: "ok", action: "deleted" });
  });
  return app;
}
