// /tyk/policies: list, read, create, update and delete security policies, as Tyk OSS's Gateway API does with
// policies.policy_path: reads answer from the policies loaded, writes go to the policy directory atomically (one file
// per policy) and, as in Tyk, are enforced after the next reload (/tyk/reload, or at once for the whole group when
// gateways share Redis).

import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { ConfigError, readJsonFile } from "../config/validate.ts";
import { apiStatus } from "../gateway/errors.ts";
import { parsePolicy, type PolicyStore } from "../policy/store.ts";
import { writeAtomic } from "./apis.ts";
import { readJsonBody, RequestMalformed } from "./body.ts";

/** Tyk's rule for policy ids given through the Gateway API (pkg/identifier). */
const VALID_ID = /^[a-zA-Z0-9.\-_~]+$/;
const error = (status: number, message: string) => apiStatus(status, { status: "error", message });

/** The file of policy_path that holds policy `id`: the one whose `id` says so, else `<id>.json`. */
function policyFile(dir: string, id: string): { file: string; exists: boolean } {
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const file = join(dir, name);
    try {
      const data = readJsonFile(file);
      if (data !== null && typeof data === "object" && (data as { id?: unknown }).id === id) return { file, exists: true };
    } catch {
      // A broken file is reported by the loader.
    }
  }
  const file = join(dir, `${id}.json`);
  return { file, exists: existsSync(file) };
}

export function policiesRoutes(store: PolicyStore, onChange?: () => Promise<void>): Hono {
  const app = new Hono();
  const dir = store.source.kind === "dir" ? store.source.path : undefined;

  const write = async (req: Request, method: "POST" | "PUT", pathId: string | undefined): Promise<Response> => {
    if (dir === undefined) return error(400, "Policies can be written only when tyk.conf sets policies.policy_path (as in Tyk)");
    const body = await readJsonBody(req);
    let policy;
    try {
      policy = parsePolicy(body, "policy", undefined);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      // A missing id is answered below, with Tyk's words.
      if (err.problems.some((p) => p.field !== "id")) throw RequestMalformed.fromConfigError(err);
    }
    const id = policy?.id ?? "";
    if (id !== "" && !VALID_ID.test(id)) return error(400, "Invalid Policy ID: Allowed characters: a-z, A-Z, 0-9, ., _, -, ~");
    if (method === "PUT" && pathId !== undefined && id !== pathId) {
      return error(400, "Request ID does not match that in policy! For Update operations these must match.");
    }
    if (id === "") return error(400, "Unable to create policy without id.");
    writeAtomic(policyFile(dir, id).file, body);
    await onChange?.();
    return apiStatus(200, { key: id, status: "ok", action: method === "POST" ? "added" : "modified" });
  };

  app.get("/", (c) => c.json(store.list()));
  app.get("/:id", (c) => {
    const policy = store.byId(c.req.param("id"));
    return policy ? c.json(policy) : error(404, "Policy not found");
  });
  app.post("/", (c) => write(c.req.raw, "POST", undefined));
  app.post("/:id", (c) => write(c.req.raw, "POST", c.req.param("id")));
  app.put("/", () => error(400, "Must specify an apiID to update"));
  app.put("/:id", (c) => write(c.req.raw, "PUT", c.req.param("id")));
  app.delete("/", () => error(400, "Must specify an apiID to delete"));
  app.delete("/:id", async (c) => {
    const id = c.req.param("id");
    if (dir === undefined || !VALID_ID.test(id)) return error(500, "Delete failed");
    const found = policyFile(dir, id);
    if (!found.exists) return error(500, "Delete failed");
    rmSync(found.file);
    await onChange?.();
    return apiStatus(200, { key: id, status: "ok", action: "deleted" });
  });
  return app;
}
