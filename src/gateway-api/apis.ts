// /tyk/apis: list, read, create, update and delete API definitions. Writes go
// to app_path atomically (temp file + rename). As in Tyk, a change is served
// after the next reload (/tyk/reload).

import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { parseAnyApiDefinition } from "../config/oas-definition.ts";
import { ConfigError } from "../config/validate.ts";
import { apiStatus } from "../gateway/errors.ts";
import { readJsonBody } from "./body.ts";

function definitionFiles(appPath: string): Array<{ file: string; raw: Record<string, unknown> }> {
  const out = [];
  for (const name of readdirSync(appPath).filter((f) => f.endsWith(".json")).sort()) {
    const file = join(appPath, name);
    try {
      const raw = JSON.parse(readFileSync(file, "utf8"));
      if (raw && typeof raw === "object") out.push({ file, raw });
    } catch {
      // A broken file is reported by the loader; the API lists what parses.
    }
  }
  return out;
}

/** api_id of a Classic definition, x-tyk-api-gateway.info.id of an OAS one. */
function definitionId(raw: Record<string, unknown>): unknown {
  const ext = raw["x-tyk-api-gateway"] as { info?: { id?: unknown } } | undefined;
  return ext ? ext.info?.id : raw.api_id;
}

const safeId = (id: string) => /^[A-Za-z0-9._-]+$/.test(id) && !id.startsWith(".");

/** Writes `data` as indented JSON to `file` atomically (a temp file renamed over it): readers see the old or the new file. */
export function writeAtomic(file: string, data: unknown): void {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
  renameSync(tmp, file);
}

export function apisRoutes(appPath: string, onChange?: () => Promise<void>): Hono {
  const app = new Hono();
  const find = (id: string) => definitionFiles(appPath).find((d) => definitionId(d.raw) === id);

  const validate = (body: unknown, where: string): Response | undefined => {
    try {
      parseAnyApiDefinition(body, where);
      return undefined;
    } catch (err) {
      if (err instanceof ConfigError) return apiStatus(400, { status: "error", message: err.message });
      throw err;
    }
  };

  app.get("/", (c) => c.json(definitionFiles(appPath).map((d) => d.raw)));
  app.get("/:id", (c) => {
    const d = find(c.req.param("id"));
    return d ? c.json(d.raw) : apiStatus(404, { status: "error", message: "API not found" });
  });
  app.post("/", async (c) => {
    const body = await readJsonBody(c.req.raw);
    const bad = validate(body, "request body");
    if (bad) return bad;
    const id = String(definitionId(body as Record<string, unknown>));
    if (!safeId(id)) return apiStatus(400, { status: "error", message: "api_id may only hold letters, digits, '.', '_' and '-'" });
    if (find(id)) return apiStatus(400, { status: "error", message: "API already exists" });
    writeAtomic(join(appPath, `${id}.json`), body);
    await onChange?.();
    return c.json({ key: id, status: "ok", action: "added" });
  });
  app.put("/:id", async (c) => {
    const id = c.req.param("id");
    const body = await readJsonBody(c.req.raw);
    const bad = validate(body, "request body");
    if (bad) return bad;
    if (definitionId(body as Record<string, unknown>) !== id) return apiStatus(400, { status: "error", message: "the API id in the body must match the URL" });
    const d = find(id);
    if (!d) return apiStatus(404, { status: "error", message: "API not found" });
    writeAtomic(d.file, body);
    await onChange?.();
    return c.json({ key: id, status: "ok", action: "modified" });
  });
  app.delete("/:id", async (c) => {
    const id = c.req.param("id");
    const d = find(id);
    if (!d || !existsSync(d.file)) return apiStatus(404, { status: "error", message: "API not found" });
    rmSync(d.file);
    await onChange?.();
    return c.json({ key: id, status: "ok", action: "deleted" });
  });
  return app;
}
